/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: names and descriptions of the drop reasons (vfp_drop.h).
 */
#include "vfp_drop.h"

static const char *const drop_names[HNV_DROP_MAX] = {
#define HNV_DROP_NAME(sym, name, help) [HNV_DROP_##sym] = name,
	HNV_FOREACH_DROP(HNV_DROP_NAME)
#undef HNV_DROP_NAME
};

static const char *const drop_help[HNV_DROP_MAX] = {
#define HNV_DROP_HELP(sym, name, help) [HNV_DROP_##sym] = help,
	HNV_FOREACH_DROP(HNV_DROP_HELP)
#undef HNV_DROP_HELP
};

const char *
hnv_drop_name(enum hnv_drop_reason r)
{
	return (unsigned int)r < HNV_DROP_MAX ? drop_names[r] : "?";
}

const char *
hnv_drop_help(enum hnv_drop_reason r)
{
	return (unsigned int)r < HNV_DROP_MAX ? drop_help[r] : "?";
}
