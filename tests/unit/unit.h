/* Each unit suite file defines unit_suite(); unit_main.c runs it. */
#ifndef UMBRA_TESTS_UNIT_H
#define UMBRA_TESTS_UNIT_H

#include <check.h>

Suite *unit_suite(void);

#endif
