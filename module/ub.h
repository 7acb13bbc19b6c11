/**
 * \file ub.h
 * Include this first in every module file that touches Unbound's structs.
 *
 * Unbound installs no module headers and its struct layouts depend on its
 * configure options, so the module compiles against a configured source
 * tree. Its headers need Unbound's own config.h, which shares the PACKAGE_*
 * macro names with ours: we read ours first (it says which Unbound
 * features configure found, HAVE_UB_*), drop the clashing names, then read
 * Unbound's (its path comes from module/Makefile.am as RV_UB_CONFIG_H).
 */
#ifndef RVM_UB_H
#define RVM_UB_H

#include "config.h"

#undef PACKAGE_BUGREPORT
#undef PACKAGE_NAME
#undef PACKAGE_STRING
#undef PACKAGE_TARNAME
#undef PACKAGE_VERSION
#undef PACKAGE_URL
#undef PACKAGE
#undef VERSION

#include RV_UB_CONFIG_H

#include "util/module.h"
#include "util/net_help.h"
#include "util/data/msgreply.h"
#include "util/data/packed_rrset.h"

#endif
