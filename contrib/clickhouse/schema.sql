-- rearview's ClickHouse schema (rearview clickhouse-schema)

CREATE DATABASE IF NOT EXISTS rearview;

CREATE TABLE IF NOT EXISTS rearview.rrset_local (
    rname String, rrtype UInt16, bailiwick String, digest UInt64,
    regdom String, rrname String, rdata Array(String),
    time_first AggregateFunction(min, UInt32),
    time_last AggregateFunction(max, UInt32),
    count AggregateFunction(sum, UInt64),
    ttl_min AggregateFunction(min, UInt32),
    ttl_max AggregateFunction(max, UInt32),
    sensors AggregateFunction(groupUniqArray, String)
) ENGINE = AggregatingMergeTree()
ORDER BY (rname, rrtype, bailiwick, digest);

CREATE TABLE IF NOT EXISTS rearview.rrset_ingest (
    rname String, rrtype UInt16, bailiwick String, digest UInt64,
    regdom String, rrname String, rdata Array(String),
    time_first UInt32,
    time_last UInt32,
    count UInt64,
    ttl_min UInt32,
    ttl_max UInt32,
    sensor String
) ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS rearview.rrset_mv TO rearview.rrset_local AS SELECT
    rname, rrtype, bailiwick, digest,
    any(regdom) AS regdom, any(rrname) AS rrname, any(rdata) AS rdata,
    minState(time_first) AS time_first,
    maxState(time_last) AS time_last,
    sumState(count) AS count,
    minState(ttl_min) AS ttl_min,
    maxState(ttl_max) AS ttl_max,
    groupUniqArrayState(sensor) AS sensors
FROM rearview.rrset_ingest
GROUP BY rname, rrtype, bailiwick, digest;

CREATE VIEW IF NOT EXISTS rearview.rrset AS SELECT * FROM rearview.rrset_local;

CREATE TABLE IF NOT EXISTS rearview.neg_local (
    rname String, qtype UInt16, rcode UInt8, bailiwick String,
    regdom String, qname String,
    time_first AggregateFunction(min, UInt32),
    time_last AggregateFunction(max, UInt32),
    count AggregateFunction(sum, UInt64),
    ttl_min AggregateFunction(min, UInt32),
    ttl_max AggregateFunction(max, UInt32),
    sensors AggregateFunction(groupUniqArray, String)
) ENGINE = AggregatingMergeTree()
ORDER BY (rname, qtype, rcode, bailiwick);

CREATE TABLE IF NOT EXISTS rearview.neg_ingest (
    rname String, qtype UInt16, rcode UInt8, bailiwick String,
    regdom String, qname String,
    time_first UInt32,
    time_last UInt32,
    count UInt64,
    ttl_min UInt32,
    ttl_max UInt32,
    sensor String
) ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS rearview.neg_mv TO rearview.neg_local AS SELECT
    rname, qtype, rcode, bailiwick,
    any(regdom) AS regdom, any(qname) AS qname,
    minState(time_first) AS time_first,
    maxState(time_last) AS time_last,
    sumState(count) AS count,
    minState(ttl_min) AS ttl_min,
    maxState(ttl_max) AS ttl_max,
    groupUniqArrayState(sensor) AS sensors
FROM rearview.neg_ingest
GROUP BY rname, qtype, rcode, bailiwick;

CREATE VIEW IF NOT EXISTS rearview.neg AS SELECT * FROM rearview.neg_local;

CREATE TABLE IF NOT EXISTS rearview.rdata_local (
    kind UInt8, value String, rrtype UInt16, rname String,
    regdom String,
    time_first AggregateFunction(min, UInt32),
    time_last AggregateFunction(max, UInt32),
    count AggregateFunction(sum, UInt64)
) ENGINE = AggregatingMergeTree()
ORDER BY (kind, value, rrtype, rname);

CREATE TABLE IF NOT EXISTS rearview.rdata_ingest (
    kind UInt8, value String, rrtype UInt16, rname String,
    regdom String,
    time_first UInt32,
    time_last UInt32,
    count UInt64
) ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS rearview.rdata_mv TO rearview.rdata_local AS SELECT
    kind, value, rrtype, rname,
    any(regdom) AS regdom,
    minState(time_first) AS time_first,
    maxState(time_last) AS time_last,
    sumState(count) AS count
FROM rearview.rdata_ingest
GROUP BY kind, value, rrtype, rname;

CREATE VIEW IF NOT EXISTS rearview.rdata AS SELECT * FROM rearview.rdata_local;

CREATE TABLE IF NOT EXISTS rearview.names_local (
    name String,
    regdom String,
    time_first AggregateFunction(min, UInt32),
    time_last AggregateFunction(max, UInt32)
) ENGINE = AggregatingMergeTree()
ORDER BY (name);

CREATE TABLE IF NOT EXISTS rearview.names_ingest (
    name String,
    regdom String,
    time_first UInt32,
    time_last UInt32
) ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS rearview.names_mv TO rearview.names_local AS SELECT
    name,
    any(regdom) AS regdom,
    minState(time_first) AS time_first,
    maxState(time_last) AS time_last
FROM rearview.names_ingest
GROUP BY name;

CREATE VIEW IF NOT EXISTS rearview.names AS SELECT * FROM rearview.names_local;

CREATE TABLE IF NOT EXISTS rearview.asn_local (
    asn UInt32, family UInt8, addr String,
    time_first AggregateFunction(min, UInt32),
    time_last AggregateFunction(max, UInt32)
) ENGINE = AggregatingMergeTree()
ORDER BY (asn, family, addr);

CREATE TABLE IF NOT EXISTS rearview.asn_ingest (
    asn UInt32, family UInt8, addr String,
    time_first UInt32,
    time_last UInt32
) ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS rearview.asn_mv TO rearview.asn_local AS SELECT
    asn, family, addr,
    minState(time_first) AS time_first,
    maxState(time_last) AS time_last
FROM rearview.asn_ingest
GROUP BY asn, family, addr;

CREATE VIEW IF NOT EXISTS rearview.asn AS SELECT * FROM rearview.asn_local;

CREATE TABLE IF NOT EXISTS rearview.regdom_local (
    regdom String,
    time_first AggregateFunction(min, UInt32),
    time_last AggregateFunction(max, UInt32)
) ENGINE = AggregatingMergeTree()
ORDER BY (regdom);

CREATE TABLE IF NOT EXISTS rearview.regdom_ingest (
    regdom String,
    time_first UInt32,
    time_last UInt32
) ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS rearview.regdom_mv TO rearview.regdom_local AS SELECT
    regdom,
    minState(time_first) AS time_first,
    maxState(time_last) AS time_last
FROM rearview.regdom_ingest
GROUP BY regdom;

CREATE VIEW IF NOT EXISTS rearview.regdom AS SELECT * FROM rearview.regdom_local;

CREATE TABLE IF NOT EXISTS rearview.ip_local (
    family UInt8,
    addr String,
    since UInt32,
    until UInt32,
    asn UInt32,
    cc FixedString(2),
    lat Int32,
    lon Int32,
    org String,
    city String,
    version UInt32
) ENGINE = ReplacingMergeTree(version)
ORDER BY (family, addr, since);

CREATE VIEW IF NOT EXISTS rearview.ip AS SELECT * FROM rearview.ip_local;
