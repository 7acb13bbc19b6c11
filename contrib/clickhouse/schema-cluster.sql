-- rearview's ClickHouse schema (rearview clickhouse-schema --cluster rearview)
-- The servers' config.xml, one shard per server:
-- <remote_servers><rearview>
--   <shard><internal_replication>false</internal_replication><replica><host>shard1</host><port>9000</port></replica></shard>
--   <shard><internal_replication>false</internal_replication><replica><host>shard2</host><port>9000</port></replica></shard>
-- </rearview></remote_servers>

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

CREATE TABLE IF NOT EXISTS rearview.rrset_in (
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
FROM rearview.rrset_in
GROUP BY key;

CREATE TABLE IF NOT EXISTS rearview.rrset_ingest AS rearview.rrset_in
ENGINE = Distributed(rearview, rearview, rrset_in, cityHash64(regdom));

CREATE TABLE IF NOT EXISTS rearview.rrset AS rearview.rrset_local
ENGINE = Distributed(rearview, rearview, rrset_local);

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

CREATE TABLE IF NOT EXISTS rearview.neg_in (
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
FROM rearview.neg_in
GROUP BY key;

CREATE TABLE IF NOT EXISTS rearview.neg_ingest AS rearview.neg_in
ENGINE = Distributed(rearview, rearview, neg_in, cityHash64(regdom));

CREATE TABLE IF NOT EXISTS rearview.neg AS rearview.neg_local
ENGINE = Distributed(rearview, rearview, neg_local);

CREATE TABLE IF NOT EXISTS rearview.rdata_local (
    key String,
    value String, rrtype UInt16, rrname String,
    time_first AggregateFunction(min, UInt32),
    time_last AggregateFunction(max, UInt32),
    count AggregateFunction(sum, UInt64)
) ENGINE = AggregatingMergeTree()
ORDER BY key;

CREATE TABLE IF NOT EXISTS rearview.rdata_in (
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
FROM rearview.rdata_in
GROUP BY key;

CREATE TABLE IF NOT EXISTS rearview.rdata_ingest AS rearview.rdata_in
ENGINE = Distributed(rearview, rearview, rdata_in, cityHash64(key));

CREATE TABLE IF NOT EXISTS rearview.rdata AS rearview.rdata_local
ENGINE = Distributed(rearview, rearview, rdata_local);

CREATE TABLE IF NOT EXISTS rearview.names_local (
    key String,
    name String,
    time_first AggregateFunction(min, UInt32),
    time_last AggregateFunction(max, UInt32)
) ENGINE = AggregatingMergeTree()
ORDER BY key;

CREATE TABLE IF NOT EXISTS rearview.names_in (
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
FROM rearview.names_in
GROUP BY key;

CREATE TABLE IF NOT EXISTS rearview.names_ingest AS rearview.names_in
ENGINE = Distributed(rearview, rearview, names_in, cityHash64(key));

CREATE TABLE IF NOT EXISTS rearview.names AS rearview.names_local
ENGINE = Distributed(rearview, rearview, names_local);

CREATE TABLE IF NOT EXISTS rearview.asn_local (
    key String,
    asn UInt32, addr String,
    time_first AggregateFunction(min, UInt32),
    time_last AggregateFunction(max, UInt32)
) ENGINE = AggregatingMergeTree()
ORDER BY key;

CREATE TABLE IF NOT EXISTS rearview.asn_in (
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
FROM rearview.asn_in
GROUP BY key;

CREATE TABLE IF NOT EXISTS rearview.asn_ingest AS rearview.asn_in
ENGINE = Distributed(rearview, rearview, asn_in, cityHash64(key));

CREATE TABLE IF NOT EXISTS rearview.asn AS rearview.asn_local
ENGINE = Distributed(rearview, rearview, asn_local);

CREATE TABLE IF NOT EXISTS rearview.regdom_local (
    key String,
    regdom String,
    time_first AggregateFunction(min, UInt32),
    time_last AggregateFunction(max, UInt32)
) ENGINE = AggregatingMergeTree()
ORDER BY key;

CREATE TABLE IF NOT EXISTS rearview.regdom_in (
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
FROM rearview.regdom_in
GROUP BY key;

CREATE TABLE IF NOT EXISTS rearview.regdom_ingest AS rearview.regdom_in
ENGINE = Distributed(rearview, rearview, regdom_in, cityHash64(regdom));

CREATE TABLE IF NOT EXISTS rearview.regdom AS rearview.regdom_local
ENGINE = Distributed(rearview, rearview, regdom_local);

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

CREATE TABLE IF NOT EXISTS rearview.ip_ingest AS rearview.ip_local
ENGINE = Distributed(rearview, rearview, ip_local, cityHash64(key));

CREATE TABLE IF NOT EXISTS rearview.ip AS rearview.ip_local
ENGINE = Distributed(rearview, rearview, ip_local);
