/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctnl/common.h>

const char *ctnl_version(void)
{
	return CTNL_VERSION_STRING;
}
