#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
static void test_ops_placeholder(void **state)
{
	(void)state;
}
int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_ops_placeholder) };
	return cmocka_run_group_tests_name("ops", tests, NULL, NULL);
}
