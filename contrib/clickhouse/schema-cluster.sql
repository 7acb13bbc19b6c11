-- rearview's ClickHouse schema (rearview clickhouse-schema --cluster rearview)
-- The servers' config.xml, one shard per server:
-- <remote_servers><rearview>
--   <shard><internal_replication>false</internal_replication><replica><host>shard1</host><port>9000</port></replica></shard>
--   <shard><internal_replication>false</internal_replication><replica><host>shard2</host><port>9000</port></replica></shard>
-- </rearview></remote_servers>

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

CREATE TABLE IF NOT EXISTS rearview.rrset_in (
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
FROM rearview.rrset_in
GROUP BY rname, rrtype, bailiwick, digest;

CREATE TABLE IF NOT EXISTS rearview.rrset_ingest AS rearview.rrset_in
ENGINE = Distributed(rearview, rearview, rrset_in, cityHash64(regdom));

CREATE TABLE IF NOT EXISTS rearview.rrset AS rearview.rrset_local
ENGINE = Distributed(rearview, rearview, rrset_local);

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

CREATE TABLE IF NOT EXISTS rearview.neg_in (
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
FROM rearview.neg_in
GROUP BY rname, qtype, rcode, bailiwick;

CREATE TABLE IF NOT EXISTS rearview.neg_ingest AS rearview.neg_in
ENGINE = Distributed(rearview, rearview, neg_in, cityHash64(regdom));

CREATE TABLE IF NOT EXISTS rearview.neg AS rearview.neg_local
ENGINE = Distributed(rearview, rearview, neg_local);

CREATE TABLE IF NOT EXISTS rearview.rdata_local (
    kind UInt8, value String, rrtype UInt16, rname String,
    regdom String,
    time_first AggregateFunction(min, UInt32),
    time_last AggregateFunction(max, UInt32),
    count AggregateFunction(sum, UInt64)
) ENGINE = AggregatingMergeTree()
ORDER BY (kind, value, rrtype, rname);

CREATE TABLE IF NOT EXISTS rearview.rdata_in (
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
FROM rearview.rdata_in
GROUP BY kind, value, rrtype, rname;

CREATE TABLE IF NOT EXISTS rearview.rdata_ingest AS rearview.rdata_in
ENGINE = Distributed(rearview, rearview, rdata_in, cityHash64(regdom));

CREATE TABLE IF NOT EXISTS rearview.rdata AS rearview.rdata_local
ENGINE = Distributed(rearview, rearview, rdata_local);

CREATE TABLE IF NOT EXISTS rearview.names_local (
    name String,
    regdom String,
    time_first AggregateFunction(min, UInt32),
    time_last AggregateFunction(max, UInt32)
) ENGINE = AggregatingMergeTree()
ORDER BY (name);

CREATE TABLE IF NOT EXISTS rearview.names_in (
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
FROM rearview.names_in
GROUP BY name;

CREATE TABLE IF NOT EXISTS rearview.names_ingest AS rearview.names_in
ENGINE = Distributed(rearview, rearview, names_in, cityHash64(regdom));

CREATE TABLE IF NOT EXISTS rearview.names AS rearview.names_local
ENGINE = Distributed(rearview, rearview, names_local);

CREATE TABLE IF NOT EXISTS rearview.asn_local (
    asn UInt32, family UInt8, addr String,
    time_first AggregateFunction(min, UInt32),
    time_last AggregateFunction(max, UInt32)
) ENGINE = AggregatingMergeTree()
ORDER BY (asn, family, addr);

CREATE TABLE IF NOT EXISTS rearview.asn_in (
    asn UInt32, family UInt8, addr String,
    time_first UInt32,
    time_last UInt32
) ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS rearview.asn_mv TO rearview.asn_local AS SELECT
    asn, family, addr,
    minState(time_first) AS time_first,
    maxState(time_last) AS time_last
FROM rearview.asn_in
GROUP BY asn, family, addr;

CREATE TABLE IF NOT EXISTS rearview.asn_ingest AS rearview.asn_in
ENGINE = Distributed(rearview, rearview, asn_in, cityHash64(addr));

CREATE TABLE IF NOT EXISTS rearview.asn AS rearview.asn_local
ENGINE = Distributed(rearview, rearview, asn_local);

CREATE TABLE IF NOT EXISTS rearview.regdom_local (
    regdom String,
    time_first AggregateFunction(min, UInt32),
    time_last AggregateFunction(max, UInt32)
) ENGINE = AggregatingMergeTree()
ORDER BY (regdom);

CREATE TABLE IF NOT EXISTS rearview.regdom_in (
    regdom String,
    time_first UInt32,
    time_last UInt32
) ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS rearview.regdom_mv TO rearview.regdom_local AS SELECT
    regdom,
    minState(time_first) AS time_first,
    maxState(time_last) AS time_last
FROM rearview.regdom_in
GROUP BY regdom;

CREATE TABLE IF NOT EXISTS rearview.regdom_ingest AS rearview.regdom_in
ENGINE = Distributed(rearview, rearview, regdom_in, cityHash64(regdom));

CREATE TABLE IF NOT EXISTS rearview.regdom AS rearview.regdom_local
ENGINE = Distributed(rearview, rearview, regdom_local);

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

CREATE TABLE IF NOT EXISTS rearview.ip_ingest AS rearview.ip_local
ENGINE = Distributed(rearview, rearview, ip_local, cityHash64(addr));

CREATE TABLE IF NOT EXISTS rearview.ip AS rearview.ip_local
ENGINE = Distributed(rearview, rearview, ip_local);
