/* SPDX-License-Identifier: BSD-3-Clause
 * test/fuzz: helpers shared by the libFuzzer harnesses.
 *
 * Owns: FUZZ_CHECK (a property check that prints what failed and aborts, so
 * libFuzzer records the input as a crash whatever NDEBUG says) and a tiny
 * byte consumer that hands fuzzer bytes out as fields (zeros once the input
 * runs dry, so every input is usable).
 */
#ifndef HNV_FUZZ_COMMON_H
#define HNV_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_CHECK(cond)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: property violated: %s\n", __FILE__, __LINE__,      \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

struct fuzz_bytes {
	const uint8_t *p;
	size_t left;
};

/* Copy @p n bytes out (zero-filled past the end of the input). */
static inline void
fuzz_take(struct fuzz_bytes *b, void *out, size_t n)
{
	size_t k = n < b->left ? n : b->left;

	memcpy(out, b->p, k);
	memset((uint8_t *)out + k, 0, n - k);
	b->p += k;
	b->left -= k;
}

static inline uint8_t
fuzz_u8(struct fuzz_bytes *b)
{
	uint8_t v;

	fuzz_take(b, &v, 1);
	return v;
}

static inline uint16_t
fuzz_u16(struct fuzz_bytes *b)
{
	uint8_t v[2];

	fuzz_take(b, v, 2);
	return (uint16_t)((v[0] << 8) | v[1]);
}

static inline uint32_t
fuzz_u32(struct fuzz_bytes *b)
{
	uint8_t v[4];

	fuzz_take(b, v, 4);
	return ((uint32_t)v[0] << 24) | ((uint32_t)v[1] << 16) | ((uint32_t)v[2] << 8) | v[3];
}

#endif /* HNV_FUZZ_COMMON_H */
