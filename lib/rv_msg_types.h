/**
 * \file rv_msg_types.h
 * Internal to lib/rv_msg.c and lib/rv_msg_scrub.c: the RR types and rcodes
 * they name.
 */
#ifndef RV_MSG_TYPES_H
#define RV_MSG_TYPES_H

#define T_A 1
#define T_NS 2
#define T_MD 3
#define T_MF 4
#define T_CNAME 5
#define T_SOA 6
#define T_MB 7
#define T_MG 8
#define T_MR 9
#define T_PTR 12
#define T_MINFO 14
#define T_MX 15
#define T_RP 17
#define T_AFSDB 18
#define T_RT 21
#define T_SIG 24
#define T_AAAA 28
#define T_PX 26
#define T_NXT 30
#define T_SRV 33
#define T_NAPTR 35
#define T_KX 36
#define T_DNAME 39
#define T_OPT 41
#define T_DS 43
#define T_RRSIG 46
#define T_NSEC 47
#define T_ANY 255

#define RC_NOERROR 0
#define RC_NXDOMAIN 3
#define RC_YXDOMAIN 6


#endif
