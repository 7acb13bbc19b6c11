-- rearview's ClickHouse schema (rearview clickhouse-schema)

CREATE DATABASE IF NOT EXISTS rearview;

CREATE TABLE IF NOT EXISTS rearview.rrset_local (
    key String,
    regdom String, rrname String, rrtype UInt16, bailiwick String, rdata Array(String), rdcount UInt16, set String,
    time_first AggregateFunction(min, UInt32),
    time_last AggregateFunction(max, UInt32),
    count AggregateFunction(sum, UInt64),
    ttl_min AggregateFunction(min, UInt32),
    ttl_max AggregateFunction(max, UInt32),
    sensors AggregateFunction(groupUniqArrayArray, Array(String))
) ENGINE = AggregatingMergeTree()
ORDER BY key;

CREATE TABLE IF NOT EXISTS rearview.rrset_ingest (
    key String,
    regdom String, rrname String, rrtype UInt16, bailiwick String, rdata Array(String), rdcount UInt16, set String,
    time_first UInt32,
    time_last UInt32,
    count UInt64,
    ttl_min UInt32,
    ttl_max UInt32,
    sensors Array(String)
) ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS rearview.rrset_mv TO rearview.rrset_local AS SELECT
    key,
    any(regdom) AS regdom, any(rrname) AS rrname, any(rrtype) AS rrtype, any(bailiwick) AS bailiwick, any(rdata) AS rdata, any(rdcount) AS rdcount, any(set) AS set,
    minState(time_first) AS time_first,
    maxState(time_last) AS time_last,
    sumState(count) AS count,
    minState(ttl_min) AS ttl_min,
    maxState(ttl_max) AS ttl_max,
    groupUniqArrayArrayState(sensors) AS sensors
FROM rearview.rrset_ingest
GROUP BY key;

CREATE VIEW IF NOT EXISTS rearview.rrset AS SELECT * FROM rearview.rrset_local;

CREATE TABLE IF NOT EXISTS rearview.neg_local (
    key String,
    regdom String, qname String, qtype UInt16, rcode UInt8, bailiwick String,
    time_first AggregateFunction(min, UInt32),
    time_last AggregateFunction(max, UInt32),
    count AggregateFunction(sum, UInt64),
    ttl_min AggregateFunction(min, UInt32),
    ttl_max AggregateFunction(max, UInt32),
    sensors AggregateFunction(groupUniqArrayArray, Array(String))
) ENGINE = AggregatingMergeTree()
ORDER BY key;

CREATE TABLE IF NOT EXISTS rearview.neg_ingest (
    key String,
    regdom String, qname String, qtype UInt16, rcode UInt8, bailiwick String,
    time_first UInt32,
    time_last UInt32,
    count UInt64,
    ttl_min UInt32,
    ttl_max UInt32,
    sensors Array(String)
) ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS rearview.neg_mv TO rearview.neg_local AS SELECT
    key,
    any(regdom) AS regdom, any(qname) AS qname, any(qtype) AS qtype, any(rcode) AS rcode, any(bailiwick) AS bailiwick,
    minState(time_first) AS time_first,
    maxState(time_last) AS time_last,
    sumState(count) AS count,
    minState(ttl_min) AS ttl_min,
    maxState(ttl_max) AS ttl_max,
    groupUniqArrayArrayState(sensors) AS sensors
FROM rearview.neg_ingest
GROUP BY key;

CREATE VIEW IF NOT EXISTS rearview.neg AS SELECT * FROM rearview.neg_local;

CREATE TABLE IF NOT EXISTS rearview.rdata_local (
    key String,
    value String, rrtype UInt16, rrname String,
    time_first AggregateFunction(min, UInt32),
    time_last AggregateFunction(max, UInt32),
    count AggregateFunction(sum, UInt64)
) ENGINE = AggregatingMergeTree()
ORDER BY key;

CREATE TABLE IF NOT EXISTS rearview.rdata_ingest (
    key String,
    value String, rrtype UInt16, rrname String,
    time_first UInt32,
    time_last UInt32,
    count UInt64
) ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS rearview.rdata_mv TO rearview.rdata_local AS SELECT
    key,
    any(value) AS value, any(rrtype) AS rrtype, any(rrname) AS rrname,
    minState(time_first) AS time_first,
    maxState(time_last) AS time_last,
    sumState(count) AS count
FROM rearview.rdata_ingest
GROUP BY key;

CREATE VIEW IF NOT EXISTS rearview.rdata AS SELECT * FROM rearview.rdata_local;

CREATE TABLE IF NOT EXISTS rearview.names_local (
    key String,
    name String,
    time_first AggregateFunction(min, UInt32),
    time_last AggregateFunction(max, UInt32)
) ENGINE = AggregatingMergeTree()
ORDER BY key;

CREATE TABLE IF NOT EXISTS rearview.names_ingest (
    key String,
    name String,
    time_first UInt32,
    time_last UInt32
) ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS rearview.names_mv TO rearview.names_local AS SELECT
    key,
    any(name) AS name,
    minState(time_first) AS time_first,
    maxState(time_last) AS time_last
FROM rearview.names_ingest
GROUP BY key;

CREATE VIEW IF NOT EXISTS rearview.names AS SELECT * FROM rearview.names_local;

CREATE TABLE IF NOT EXISTS rearview.asn_local (
    key String,
    asn UInt32, addr String,
    time_first AggregateFunction(min, UInt32),
    time_last AggregateFunction(max, UInt32)
) ENGINE = AggregatingMergeTree()
ORDER BY key;

CREATE TABLE IF NOT EXISTS rearview.asn_ingest (
    key String,
    asn UInt32, addr String,
    time_first UInt32,
    time_last UInt32
) ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS rearview.asn_mv TO rearview.asn_local AS SELECT
    key,
    any(asn) AS asn, any(addr) AS addr,
    minState(time_first) AS time_first,
    maxState(time_last) AS time_last
FROM rearview.asn_ingest
GROUP BY key;

CREATE VIEW IF NOT EXISTS rearview.asn AS SELECT * FROM rearview.asn_local;

CREATE TABLE IF NOT EXISTS rearview.regdom_local (
    key String,
    regdom String,
    time_first AggregateFunction(min, UInt32),
    time_last AggregateFunction(max, UInt32)
) ENGINE = AggregatingMergeTree()
ORDER BY key;

CREATE TABLE IF NOT EXISTS rearview.regdom_ingest (
    key String,
    regdom String,
    time_first UInt32,
    time_last UInt32
) ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS rearview.regdom_mv TO rearview.regdom_local AS SELECT
    key,
    any(regdom) AS regdom,
    minState(time_first) AS time_first,
    maxState(time_last) AS time_last
FROM rearview.regdom_ingest
GROUP BY key;

CREATE VIEW IF NOT EXISTS rearview.regdom AS SELECT * FROM rearview.regdom_local;

CREATE TABLE IF NOT EXISTS rearview.ip_local (
    key String,
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
ORDER BY key;

CREATE VIEW IF NOT EXISTS rearview.ip AS SELECT * FROM rearview.ip_local;
