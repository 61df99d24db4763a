/* Growable arrays. */
#ifndef UMBRA_SENTRY_ARRAY_H
#define UMBRA_SENTRY_ARRAY_H

#include <stddef.h>

/* Room for need elements of size bytes in *arr (capacity *cap), doubling
 * from 16; 0 or -ENOMEM, with *arr and *cap unchanged on failure. */
int array_reserve(void *arr, size_t *cap, size_t need, size_t size);

#endif
