#!/usr/bin/env python3
"""Normalize the vendored research pricing data into capplan's embedded pricing cache.

Usage:
    python3 scripts/normalize_pricing.py [--data pricing-cache/sources] [--out pricing-cache] [--check]
    python3 scripts/normalize_pricing.py --upstream ../shared/data [--sync]

Reads (never writes) the research files in `--data` (default: `pricing-cache/sources/`, the
vendored copy of the inputs, with their provenance in `pricing-cache/sources/pricing/ORIGIN.md`)
and writes (schema_version 2):
    pricing-cache/elasticache.json      the index: sources, node specs, rates that hold in every
                                        region, Upstash, and the list of regions covered
    pricing-cache/regions/<code>.json   one chunk per region (node prices, reserved offers,
                                        Serverless, regional backup rate, Extended Support); all are
                                        compiled into the binary, a region's is parsed on first use
    pricing-cache/MANIFEST.toml         schema version, as-of date, counts, sha256 of every output
                                        and every input (stale region files are removed)

`--check` rebuilds in memory and fails (exit 1) if the committed files differ: the test suite
runs it so the cache can never drift from its documented inputs.

`--upstream DIR` compares the vendored inputs with the research folder they were copied from
(`../shared/data` where the team keeps it) and prints which files differ (an input folder such
as the pricing page's `reserved/` file by file, both ways): a notice, never a failure. `--sync`
copies the differing files in; rerun without flags to rebuild the cache.

The research files are messy on purpose (mixed units, partial dates, duplicates from several
sources). Every rule applied here is listed below and repeated in the record it produced
(`kind`, `source`, `as_of`, `note`), so the report can show where each price came from.

Rules
-----
Several sources for one price (region, node, engine[, term and payment]; Serverless dimension):
  * they agree: the record kept is the most authoritative kind (aws-price-list >
    aws-pricing-page > third-party > derived), then the newest date; except that the verified
    us-east-1 node table keeps its provenance where another source agrees (its check is newer).
  * they disagree: the newest dated source wins and `--verbose` lists the conflict with every
    value, source and date; partial dates that leave the order open fail the build.
  * every record keeps its own source's date: a 2022 price stays dated 2022 where nothing newer
    gives it.

AWS pricing page JSON (`pricing/aws-pricing-page/`, verbatim; see ORIGIN.md):
  * locations are display names ("EU (Ireland)"), mapped to codes by LOCATIONS below; an unknown
    name fails the build. GovCloud and the Los Angeles Local Zone are left out (not regions
    capplan prices).
  * every rate appears twice (under a descriptive name and under its id): the id entries must
    duplicate a named one. Named entries are node prices ("OnDemand Cache Instance ... cache
    <type> <Valkey|Redis|Memcached>[ datatiering] ... Generation") or Serverless rates ("OnDemand
    ElastiCache Serverless <engine> per GB-Hours | per ElastiCacheProcessingUnit"); anything
    naming Extended Support, SyncDurability or Outposts is rejected as not a node price; a rate
    code outside the on-demand term is rejected; any other entry fails the build.
  * Serverless ECPU is quoted per single ECPU: x 1,000,000 for $/million (us-east-1 Valkey
    0.0000000023 -> 0.0023, as FACTS.md states).
  * on-demand records are kind `aws-pricing-page`, dated with the file's publication date
    (2025-03-14), with the rate code in the note.
  * reserved files (2024-10-07) give per node type, term and payment the upfront fee
    (`riupfront:PricePerUnit`, absent = 0 for No Upfront only) and the recurring hourly (`price`):
    both known. A row names the node's SKU, not the engine: the engine is that SKU's on the
    on-demand JSON of the same region (Redis OSS or Memcached; the files hold no Valkey rows). The
    files repeat keys (one row per engine under one name): every duplicate is read. The folder must
    hold exactly the files `reserved-files.json` lists.
  * node types missing from the catalog are skipped (listed by --verbose).

Node specs (`aws/elasticache_node_types.json`):
  * memory = maxmemory_bytes (authoritative; the pricing table's GiB column differs in the
    second decimal); vCPU, baseline/burst Gbps, SSD GiB, CPU-credit baseline % as given.
  * maxclients = 65,000, except 20,000 on t2/t3/t4g.micro and t2.small/medium (FACTS).
  * engines: Valkey and Redis OSS everywhere; Memcached except the data-tiering r6gd family.

On-demand node prices, us-east-1 (`pricing/elasticache_nodes_us-east-1_compiled.json`):
  * Redis OSS and Memcached columns: a public node catalog citing aws.amazon.com/elasticache/pricing
    (DefangLabs/pulumi-defang, 2026-07); the Redis OSS column matches the Price List
    transcription read 2026-10-02 (S1) for all 59 types. Memcached = Redis OSS per node.
  * Valkey column: checked value by value against S1 (2026-10-02), all 59 match
    (`valkey_verification_us-east-1.json`); kind `third-party` with S1 as source, or
    `aws-price-list` where a verbatim Price List row (S2) exists for that type.
On-demand node prices, other regions (`pricing/nodes_ondemand_other_regions.json` and the pricing
page), resolved as above:
  * Valkey missing but Redis OSS known: Valkey = round(0.8 x Redis OSS, 4), kind `derived` (the
    pricing page gives Valkey itself wherever it gives Redis OSS; there it is exactly 0.8 x, with
    five decimals in some regions).
  * Memcached missing but Redis OSS known: Memcached = Redis OSS, kind `derived`.
  * add-on meters (SyncDurability, Extended Support) are never node prices; Extended Support rows
    feed the Extended Support table below. Node types without specs in the catalog are skipped.

Reserved offers (`pricing/reserved_offers.json` and the pricing page), resolved as above; an offer
given only as an amortized rate agrees with one that gives upfront and hourly when
hourly + upfront / (years x 8,760) matches to 1e-9 $/hour:
  * engine 'redis_oss (= memcached)' gives a Redis OSS and a Memcached offer (the source states
    they are equal); offers whose engine is not stated are dropped (they duplicate the Redis SKU).
  * 3yr All Upfront from the 2022 snapshot: upfront = upfront_recovered (effective x 26,280).
  * Partial Upfront from the 2022 snapshot: only the amortized effective hourly is known; the
    upfront/recurring split is kept unknown (null), never guessed.
  * Netflix annual cost (= upfront / 3, rounded to cents): upfront = 3 x annual, kind `derived`
    (within $0.02 of the real fee), unless the exact upfront is pinned.
  * infracost partial/all-upfront rows carry no upfront fee: dropped (an all-upfront offer with
    no fee is the "$0 a month" error); its no-upfront row duplicates the 2022 snapshot.
  * Valkey offer missing but the Redis OSS offer known: every amount x 0.8 (hourly rounded to
    4 dp), kind `derived` (verified on all six c7gn.large offers and t4g.medium/r7g.large).

Serverless (`pricing/serverless_by_region.json` and the pricing page):
  * per (region, engine, dimension), resolved as above.
  * the minimum metered storage (100 MB Valkey, 1 GB Redis OSS / Memcached) is a product rule
    stated without region: applied to every region that has storage and ECPU rates, kind `derived`
    outside us-east-1.
  * a region/engine is only listed when its storage and ECPU rates are both sourced.

Backup storage: $0.085/GB-month; sourced records per region, and for other regions the AWS FAQ
  statement that the rate is the same in every region (kind `derived`).

Extended Support (Redis OSS 4/5 from 2026-02-01, 6 from 2027-02-01): verbatim Price List rows where
  found; otherwise years 1-2 = round(0.8 x Redis OSS on-demand, 3) and year 3 =
  round(1.6 x Redis OSS on-demand, 3), kind `derived` (the rule reproduces all 7 verbatim rows).

Database Savings Plans (`pricing/database_savings_plans.json`, claims with sources; no rate table
  exists): Valkey Serverless about 30 % and Valkey nodes of generation 7 and newer up to 20 %, 1 year
  no upfront, kind `third-party` with a note that the rates are unverified. Each claim is found by
  its source and wording (a changed file fails the build). Redis OSS and Memcached are not covered.
  An alternative commitment to show, never a price the recommendation is built on.

Upstash (`pricing/upstash_redis_pricing_compiled.json`): sizes normalized to GiB (MB/1024,
  TB x 1024), the binary reading being capplan's convention for every `*_gb` value.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

SCHEMA_VERSION = 2
# The cache's as-of date: the newest full check of the us-east-1 node table (S1, read 2026-10-02).
CACHE_AS_OF = "2026-10-02"

# Every location the AWS pricing page names, by its display name: (region code, what it is).
# Only "region" entries are priced; an unknown name fails the build (never guessed).
LOCATIONS = {
    "US East (N. Virginia)": ("us-east-1", "region"),
    "US East (Ohio)": ("us-east-2", "region"),
    "US West (N. California)": ("us-west-1", "region"),
    "US West (Oregon)": ("us-west-2", "region"),
    "Africa (Cape Town)": ("af-south-1", "region"),
    "Asia Pacific (Hong Kong)": ("ap-east-1", "region"),
    "Asia Pacific (Tokyo)": ("ap-northeast-1", "region"),
    "Asia Pacific (Seoul)": ("ap-northeast-2", "region"),
    "Asia Pacific (Osaka)": ("ap-northeast-3", "region"),
    "Asia Pacific (Mumbai)": ("ap-south-1", "region"),
    "Asia Pacific (Hyderabad)": ("ap-south-2", "region"),
    "Asia Pacific (Singapore)": ("ap-southeast-1", "region"),
    "Asia Pacific (Sydney)": ("ap-southeast-2", "region"),
    "Asia Pacific (Jakarta)": ("ap-southeast-3", "region"),
    "Asia Pacific (Melbourne)": ("ap-southeast-4", "region"),
    "Asia Pacific (Malaysia)": ("ap-southeast-5", "region"),
    "Asia Pacific (Thailand)": ("ap-southeast-7", "region"),
    "Canada (Central)": ("ca-central-1", "region"),
    "Canada West (Calgary)": ("ca-west-1", "region"),
    "EU (Frankfurt)": ("eu-central-1", "region"),
    "EU (Zurich)": ("eu-central-2", "region"),
    "EU (Stockholm)": ("eu-north-1", "region"),
    "EU (Milan)": ("eu-south-1", "region"),
    "EU (Spain)": ("eu-south-2", "region"),
    "EU (Ireland)": ("eu-west-1", "region"),
    "EU (London)": ("eu-west-2", "region"),
    "EU (Paris)": ("eu-west-3", "region"),
    "Israel (Tel Aviv)": ("il-central-1", "region"),
    "Middle East (UAE)": ("me-central-1", "region"),
    "Middle East (Bahrain)": ("me-south-1", "region"),
    "Mexico (Central)": ("mx-central-1", "region"),
    "South America (Sao Paulo)": ("sa-east-1", "region"),
    # A Local Zone: one zone of us-west-2 (no Multi-AZ inside it), no Serverless, no reserved
    # offers on the page. capplan models regions; left out.
    "US West (Los Angeles)": ("us-west-2-lax-1", "local-zone"),
    # GovCloud: separate partition; backup and transfer rates there are not sourced. Left out.
    "AWS GovCloud (US)": ("us-gov-west-1", "govcloud"),
    "AWS GovCloud (US-East)": ("us-gov-east-1", "govcloud"),
}
REGION_NAMES = {code: name for name, (code, what) in LOCATIONS.items() if what == "region"}

KIND_RANK = {"aws-price-list": 0, "aws-pricing-page": 1, "third-party": 2, "derived": 3}
ENGINES = {"redis_oss": "redis", "valkey": "valkey", "memcached": "memcached"}
PAYMENTS = {"No Upfront": "no-upfront", "Partial Upfront": "partial-upfront", "All Upfront": "all-upfront"}


class NormalizeError(Exception):
    pass


def dec(value) -> Decimal:
    """Exact decimal of a JSON number as written (via its shortest repr)."""
    if isinstance(value, Decimal):
        return value
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))


def money(value: Decimal) -> str:
    """Decimal string without exponent or trailing zeros."""
    text = format(value.normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".") or "0"


def rounded(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def date_of(text: str) -> str:
    """Partial dates ('2026', '2026-09', '2026-06+') kept as the ISO prefix they state."""
    text = text.strip().rstrip("+")
    parts = text.split("-")
    if not parts[0].isdigit() or len(parts[0]) != 4 or len(parts) > 3:
        raise NormalizeError(f"unreadable date '{text}'")
    return text


def _neg_date(d: str):
    # sort newest first: compare on the padded date, reversed
    padded = (d + "-00-00")[:10]
    return tuple(-int(x) for x in padded.split("-"))


def _date_range(d: str):
    """The first and last day a (possibly partial) date can mean: '2026' -> 2026-01-01..2026-12-31."""
    parts = [int(x) for x in d.split("-")]
    if len(parts) == 3:
        return tuple(parts), tuple(parts)
    if len(parts) == 2:
        return (parts[0], parts[1], 1), (parts[0], parts[1], 31)
    return (parts[0], 1, 1), (parts[0], 12, 31)


def _shown(r):
    return f"{r['_shown']} ({r['source']}, {r['kind']}, {r['as_of']})"


def resolve(records, what, log, same=lambda a, b: a == b):
    """One record for one (region, node, engine[, term]) from every source that gives it.

    Sources that agree: the most authoritative kind (KIND_RANK), then the newest date; a record
    marked `_pinned` (the verified us-east-1 table) keeps its provenance. Sources that disagree:
    the newest dated one wins, and the conflict is logged; when partial dates leave the order
    open ('2026' against '2026-03-01') the build fails rather than guess."""
    groups = []
    for r in records:
        for g in groups:
            if same(g[0]["_value"], r["_value"]):
                g.append(r)
                break
        else:
            groups.append([r])

    def best(recs):
        pinned = [r for r in recs if r.get("_pinned")]
        return pinned[0] if pinned else sorted(recs, key=lambda r: (KIND_RANK[r["kind"]], _neg_date(r["as_of"])))[0]

    if len(groups) == 1:
        return best(groups[0])
    newest = [max(g, key=lambda r: _date_range(r["as_of"])[0]) for g in groups]
    order = sorted(range(len(groups)), key=lambda i: _date_range(newest[i]["as_of"])[0], reverse=True)
    top, runner = order[0], order[1]
    if _date_range(newest[top]["as_of"])[0] <= _date_range(newest[runner]["as_of"])[1]:
        raise NormalizeError(f"sources disagree on {what} and their dates do not say which is newer: "
                             f"{_shown(newest[top])} vs {_shown(newest[runner])}")
    kept = best(groups[top])
    others = "; ".join(_shown(newest[i]) for i in order[1:])
    log.append(f"conflict {what}: kept {_shown(newest[top])}, the newer, over {others}")
    return kept


# Short titles shown in reports for the sources the research files define (their "what" is long).
TITLES = {
    "E1_ec2instances_2022": "ec2instances.info snapshot of the AWS Price List offer file (2022-02-13)",
    "P1_euw1_vault": "note quoting the Price List: eu-west-1 cache.r7g.large",
    "P2_ec2i_test": "ec2instances.info test built from real Price List rows (ap-southeast-1 r7g.large Valkey)",
    "P3_ec2i_pr912": "ec2instances.info PR #912 comment (ap-southeast-1 r7g.large Redis OSS)",
    "P4_jp_note": "dev note from raw GetProducts (ap-northeast-1 r7g.large)",
    "P5_jp_doc": "Price List PriceDescription quoted (ap-northeast-1, offer 20260911124427)",
    "P6_upstash": "Upstash blog, Frankfurt ElastiCache prices (2026-08-03)",
    "P7_cn_skill": "verbatim GetProducts output (us-west-2 cache.t3.medium)",
    "P8_usw2_r8g": "code comment quoting us-west-2 cache.r8g.large",
    "P9_kr_doc": "Price List ap-northeast-2 quotes (2026-10-01)",
    "P10_mec1": "me-central-1 rate table ('AmazonElastiCache 2026-09-14')",
    "P11_euw2_fixture": "eu-west-2 Go test fixture",
    "R1_bangpound": "AWS Price List excerpt, offer version 20250624130639 (cache.c7gn.large)",
    "R2_clarchy": "AWS Price List bulk offer file, No Upfront rates (Clarchy, 2026-10-01)",
    "R3_netflix": "Netflix service-capacity-modeling, Valkey 3yr All Upfront (GetProducts)",
    "R4_ec2i_test": "ec2instances.info test with real reserved dimensions (ap-southeast-1 r7g.large Valkey)",
    "R5_ec2i_pr912": "ec2instances.info PR #912 comment (ap-southeast-1 r7g.large Redis OSS)",
    "R6_infracost": "infracost golden test (cache.m6g.12xlarge, 2024)",
    "R7_ec2i_2022": "ec2instances.info snapshot of the AWS Price List offer file (2022-02-13)",
    "SV1_sst6160": "aws.amazon.com/elasticache/pricing quoted verbatim (sst#6160, 2025-11-27)",
    "SV2_upstash_0714": "Upstash blog, ElastiCache pricing explained (2026-07-14)",
    "SV3_test_stub_use1": "Go test stub of Price List rows (us-east-1)",
    "SV4_kr_doc": "Price List ap-northeast-2 quotes (2026-10-01)",
    "SV5_upstash_0803": "Upstash blog, ElastiCache Serverless prices (2026-08-03)",
    "SV6_infracost": "infracost golden test (backup storage, 2024)",
}


class Sources:
    def __init__(self):
        self.table = {}

    def add(self, sid, kind, title, locator, as_of):
        title = TITLES.get(sid, title)
        if kind not in KIND_RANK:
            raise NormalizeError(f"unknown kind '{kind}' for source {sid}")
        entry = {"kind": kind, "title": title.strip(), "locator": locator.strip(), "as_of": date_of(as_of)}
        if sid in self.table and self.table[sid] != entry:
            raise NormalizeError(f"source {sid} defined twice differently")
        self.table[sid] = entry
        return sid


def node_catalog(data: Path):
    raw = json.loads((data / "aws/elasticache_node_types.json").read_text())
    nodes = []
    seen = set()
    for n in raw:
        name = n["node_type"]
        if name in seen:
            raise NormalizeError(f"node type {name} listed twice")
        seen.add(name)
        family = name.split(".")[1]
        size = name.split(".")[2]
        micro_or_small = (family in ("t2", "t3", "t4g") and size == "micro") or (family == "t2" and size in ("small", "medium"))
        burst = n["burst_gbps"]
        nodes.append(
            {
                "name": name,
                "family": family,
                "vcpu": int(n["vcpu"]),
                "memory_bytes": int(n["maxmemory_bytes"]),
                "network_baseline_gbps": money(dec(n["baseline_gbps"])),
                "network_burst_gbps": None if burst in ("", None) else money(dec(burst)),
                "ssd_gib": None if n["ssd_gib"] in ("", None) else money(dec(n["ssd_gib"])),
                "cpu_credit_baseline_pct": None if n["cpu_baseline_per_vcpu_pct"] in ("", None) else int(n["cpu_baseline_per_vcpu_pct"]),
                "maxclients": 20000 if micro_or_small else 65000,
                "engines": ["valkey", "redis"] if family == "r6gd" else ["valkey", "redis", "memcached"],
            }
        )
    return nodes


def us_east_1_nodes(data: Path, sources: Sources, catalog_names):
    compiled = json.loads((data / "pricing/elasticache_nodes_us-east-1_compiled.json").read_text())
    verification = json.loads((data / "pricing/valkey_verification_us-east-1.json").read_text())
    vmeta = verification["meta"]["sources"]
    catalog_src = sources.add(
        "N1_us_east_1_catalog",
        "third-party",
        "public node catalog citing aws.amazon.com/elasticache/pricing (DefangLabs/pulumi-defang, 2026-07); "
        "Redis OSS column matches a Price List transcription read 2026-10-02",
        compiled["meta"]["sources"]["redis_oss_price"],
        "2026-10-02",
    )
    s1 = sources.add("S1_pricing_service", vmeta["S1_pricing_service"]["kind"],
                     "AWS Price List transcription (Valkey NodeUsage rows), read 2026-10-02",
                     vmeta["S1_pricing_service"]["locator"], vmeta["S1_pricing_service"]["as_of"])
    s2 = sources.add("S2_clarchy", vmeta["S2_clarchy"]["kind"],
                     "AWS Price List bulk offer file, verbatim row (us-east-1)",
                     vmeta["S2_clarchy"]["locator"], vmeta["S2_clarchy"]["as_of"])
    verified = {n["instance_type"]: n for n in verification["nodes"]}
    out = []
    for n in compiled["nodes"]:
        name = n["instance_type"]
        if name not in catalog_names:
            raise NormalizeError(f"{name} priced but not in the node catalog")
        prices = n["ondemand_usd_per_hr"]
        redis = dec(prices["redis_oss"])
        out.append(rec_price("us-east-1", name, "redis", redis, catalog_src, "third-party", "2026-10-02"))
        if prices.get("memcached") is not None:
            mem = dec(prices["memcached"])
            if mem != redis:
                raise NormalizeError(f"{name}: Memcached {mem} != Redis OSS {redis}")
            out.append(rec_price("us-east-1", name, "memcached", mem, catalog_src, "third-party", "2026-10-02",
                                 "Memcached node price = Redis OSS node price"))
        valkey = dec(prices["valkey"])
        check = verified.get(name)
        if check is None or check["status"] != "match":
            raise NormalizeError(f"{name}: Valkey price not verified")
        for v in check["verified"]:
            if dec(v["value"]) != valkey:
                raise NormalizeError(f"{name}: Valkey {valkey} disagrees with {v}")
        verbatim = [v for v in check["verified"] if v["kind"] == "aws-price-list"]
        if verbatim:
            out.append(rec_price("us-east-1", name, "valkey", valkey, s2, "aws-price-list", sources.table[s2]["as_of"],
                                 "verbatim: " + verbatim[0].get("description_verbatim", "")))
        else:
            out.append(rec_price("us-east-1", name, "valkey", valkey, s1, "third-party", sources.table[s1]["as_of"]))
    # the verified table keeps its provenance wherever another source agrees (see resolve)
    return [dict(r, _value=dec(r["usd_per_hour"]), _shown=r["usd_per_hour"], _pinned=True) for r in out]


def rec_price(region, node, engine, usd, source, kind, as_of, note=None):
    r = {"region": region, "node_type": node, "engine": engine, "usd_per_hour": money(usd),
         "kind": kind, "source": source, "as_of": date_of(as_of)}
    if note:
        r["note"] = note
    return r


def other_region_nodes(data: Path, sources: Sources, catalog_names, log):
    """On-demand candidates outside us-east-1 (not yet resolved), and verbatim Extended Support rows."""
    raw = json.loads((data / "pricing/nodes_ondemand_other_regions.json").read_text())
    for sid, s in raw["meta"]["sources"].items():
        sources.add(sid, s["kind"], s["what"][:160], s["locator"], s["as_of"])
    out = []
    for r in raw["records"]:
        if r["instance_type"] not in catalog_names:
            log.append(f"skipped {r['region']} {r['instance_type']} {r['engine']}: node type not in the catalog")
            continue
        rec = rec_price(r["region"], r["instance_type"], ENGINES[r["engine"]], dec(r["usd_per_hour"]), r["source"], r["kind"], r["as_of"])
        out.append(dict(rec, _value=dec(r["usd_per_hour"]), _shown=rec["usd_per_hour"]))
    extended = []
    for a in raw["addon_meters_not_node_price"]:
        usage = a["usagetype"]
        if "ExtendedSupport" not in usage:
            continue
        node = usage.split(":")[1]
        period = "yr1-2" if "Yr1_Yr2" in usage else "yr3"
        as_of = sources.table[a["source"]]["as_of"] if a["source"] in sources.table else None
        if as_of is None:
            raise NormalizeError(f"unknown source {a['source']}")
        extended.append({"region": a["region"], "node_type": node, "period": period, "usd_per_hour": money(dec(a["usd_per_hour"])),
                         "kind": a["kind"], "source": a["source"], "as_of": as_of, "note": "verbatim usagetype " + usage})
    return out, extended


def node_prices(candidates, log):
    """Resolve every (region, node, engine), then derive what no source gives."""
    groups = defaultdict(list)
    for r in candidates:
        groups[(r["region"], r["node_type"], r["engine"])].append(r)
    out = {}
    for key, recs in groups.items():
        best = resolve(recs, " ".join(key), log)
        out[key] = {k: v for k, v in best.items() if not k.startswith("_")}
    # derived Valkey / Memcached
    for (region, node, engine), r in list(out.items()):
        if engine != "redis":
            continue
        redis = dec(r["usd_per_hour"])
        if (region, node, "valkey") not in out:
            out[(region, node, "valkey")] = rec_price(
                region, node, "valkey", rounded(Decimal("0.8") * redis, 4), r["source"], "derived", r["as_of"],
                f"derived: Valkey = round(0.8 x Redis OSS {money(redis)}, 4)")
        if (region, node, "memcached") not in out and not node.startswith("cache.r6gd"):
            out[(region, node, "memcached")] = rec_price(
                region, node, "memcached", redis, r["source"], "derived", r["as_of"],
                "derived: Memcached node price = Redis OSS node price")
    return sorted(out.values(), key=lambda p: (p["region"], p["node_type"], p["engine"]))


PAGE = "pricing/aws-pricing-page"
PAGE_ON_DEMAND_TERM = ".JRTCKXETXF.6YS6EN2CT7"  # <SKU>.<on-demand offer term>.<price dimension>
PAGE_ENGINES = {"Valkey": "valkey", "Redis": "redis", "Memcached": "memcached"}
PAGE_NODE = re.compile(r"OnDemand Cache Instance (?:Micro|Standard|Memory optimized|Compute optimized|Network optimized) "
                       r"cache (?P<node>[a-z0-9]+\.[a-z0-9]+) (?P<engine>Valkey|Redis|Memcached)(?: datatiering)? "
                       r"(?:Current|Previous) Generation")
PAGE_SERVERLESS = re.compile(r"OnDemand ElastiCache Serverless (?P<engine>Valkey|Redis|Memcached) per "
                             r"(?P<dim>GB-Hours|ElastiCacheProcessingUnit)")
NOT_NODE_PRICE = re.compile(r"ExtendedSupport|Extended Support|SyncDurability|Outposts", re.IGNORECASE)


def page_location(name: str):
    """(code, what) of a pricing page location; an unknown display name fails the build."""
    if name not in LOCATIONS:
        raise NormalizeError(f"the pricing page names a location capplan does not know: '{name}' (add it to LOCATIONS)")
    return LOCATIONS[name]


def publication_date(doc, what):
    stamp = doc.get("manifest", {}).get("hawkFilePublicationDate", "")
    day = stamp[:10]
    if len(day) != 10:
        raise NormalizeError(f"{what}: no publication date")
    return date_of(day)


def page_on_demand(data: Path, sources: Sources, catalog_names, log):
    """The pricing page's on-demand JSON: node-price and Serverless candidates, and per region
    the engine of every node SKU (reserved rows name the SKU, not the engine)."""
    doc = json.loads((data / PAGE / "elasticache.json").read_text())
    as_of = publication_date(doc, "pricing page on-demand JSON")
    origin = json.loads((data / PAGE / "reserved-files.json").read_text())
    src = sources.add("PG1_aws_pricing_page", "aws-pricing-page",
                      f"AWS ElastiCache pricing page JSON: on-demand nodes and Serverless, every region (published {as_of})",
                      f"{origin['repo']} data/elasticache/elasticache.json @ {origin['commit']} (the pricing page's own JSON, "
                      f"hawkFilePublicationDate {doc['manifest']['hawkFilePublicationDate']})", as_of)
    in_sets = {key for keys in doc["sets"].values() for key in keys}
    nodes, serverless, skus = [], [], defaultdict(dict)
    skipped_nodes = defaultdict(set)
    for name, entries in doc["regions"].items():
        code, what = page_location(name)
        if what != "region":
            log.append(f"skipped pricing page location '{name}' ({code}): {what}, not a region capplan prices")
            continue
        # Each rate appears twice: under a descriptive name and under its id (the regionless rate
        # code, with " V1" when a set lists it). The id entries must duplicate a named one.
        def is_id(key, entry):
            return key in in_sets or key == entry["RegionlessRateCode"]
        named = {e["RegionlessRateCode"]: e for key, e in entries.items() if not is_id(key, e)}
        for key, entry in entries.items():
            if is_id(key, entry):
                if named.get(entry["RegionlessRateCode"]) != entry:
                    raise NormalizeError(f"pricing page {code}: entry '{key}' duplicates no named entry")
                continue
            if NOT_NODE_PRICE.search(key):
                log.append(f"rejected pricing page {code} '{key}': not a plain node price")
                continue
            if not entry["rateCode"].endswith(PAGE_ON_DEMAND_TERM):
                log.append(f"rejected pricing page {code} '{key}': rate code {entry['rateCode']} is not the on-demand term")
                continue
            price = dec(entry["price"])
            note = f"pricing page rate code {entry['rateCode']}"
            m = PAGE_NODE.fullmatch(key)
            if m:
                node, engine = "cache." + m["node"], PAGE_ENGINES[m["engine"]]
                if entry.get("Instance Type") != node:
                    raise NormalizeError(f"pricing page {code} '{key}': instance type {entry.get('Instance Type')}")
                sku = entry["rateCode"].split(".")[0]
                skus[code][sku] = (node, engine, price)
                if node not in catalog_names:
                    skipped_nodes[node].add(code)
                    continue
                if price <= 0:
                    raise NormalizeError(f"pricing page {code} {node} {engine}: price {price}")
                rec = rec_price(code, node, engine, price, src, "aws-pricing-page", as_of, note)
                nodes.append(dict(rec, _value=price, _shown=rec["usd_per_hour"]))
                continue
            m = PAGE_SERVERLESS.fullmatch(key)
            if m:
                engine = PAGE_ENGINES[m["engine"]]
                if m["dim"] == "GB-Hours":
                    dim, value = "storage_usd_per_gb_hour", price
                else:  # the page quotes one ECPU: x 1,000,000 for $/million
                    dim, value = "ecpu_usd_per_million", price * 1_000_000
                    note += f" ({money(price)} per ECPU x 1,000,000)"
                serverless.append({"region": code, "engine": engine, "dimension": dim, "_value": value, "_shown": money(value),
                                   "kind": "aws-pricing-page", "source": src, "as_of": as_of, "note": note})
                continue
            raise NormalizeError(f"pricing page {code}: unrecognized entry '{key}'")
    for node, regions in sorted(skipped_nodes.items()):
        log.append(f"skipped pricing page {node} in {len(regions)} region(s): node type not in the catalog")
    keys = [(r["region"], r["node_type"], r["engine"]) for r in nodes]
    if len(keys) != len(set(keys)):
        raise NormalizeError("the pricing page prices a (region, node, engine) twice")
    return nodes, serverless, skus


RESERVED_FILE = re.compile(r"(?P<region>[a-z0-9-]+)_(?P<term>[13]yr)_(?P<payment>no|partial|all)-upfront_"
                           r"(?P<cls>standard|memory-optimized|network-optimized)\.json")


def page_reserved(data: Path, sources: Sources, catalog_names, skus, log):
    """Reserved candidates from the pricing page's reserved JSON (one file per region, term,
    payment and node class). Rows name the node SKU: its engine comes from the on-demand JSON
    of the same region. The files repeat keys (one row per engine under one name): every
    duplicate is read."""
    origin = json.loads((data / PAGE / "reserved-files.json").read_text())
    listed = sorted(f["file"] for f in origin["files"])
    present = sorted(p.name for p in (data / PAGE / "reserved").iterdir() if p.is_file())
    if listed != present:
        raise NormalizeError(f"{PAGE}/reserved does not hold exactly the files reserved-files.json lists "
                             f"(missing {sorted(set(listed) - set(present))[:3]}, unlisted {sorted(set(present) - set(listed))[:3]})")
    codes = {code: what for code, what in LOCATIONS.values()}
    rows, dates, skipped_nodes, skipped_regions = [], set(), defaultdict(set), set()
    for name in present:
        m = RESERVED_FILE.fullmatch(name)
        if not m:
            raise NormalizeError(f"unexpected reserved file name '{name}'")
        code = m["region"]
        if code not in codes:
            raise NormalizeError(f"reserved file '{name}': unknown region code '{code}'")
        if codes[code] != "region":
            skipped_regions.add(code)
            continue
        payment = f"{m['payment']}-upfront"
        doc = dict(json.loads((data / PAGE / "reserved" / name).read_text(), object_pairs_hook=lambda pairs: pairs))
        as_of = publication_date({"manifest": dict(doc["manifest"])}, f"reserved file {name}")
        dates.add(as_of)
        for location, entries in doc["regions"]:
            if page_location(location)[0] != code:
                raise NormalizeError(f"reserved file '{name}' holds '{location}'")
            for _key, entry in entries:
                e = dict(entry)
                node = e["Instance Type"]
                if PAYMENTS[e["PurchaseOption"]] != payment or e["LeaseContractLength"] != m["term"]:
                    raise NormalizeError(f"reserved file '{name}': row {node} is {e['LeaseContractLength']} {e['PurchaseOption']}")
                if node not in catalog_names:
                    skipped_nodes[node].add(code)
                    continue
                sku = e["rateCode"].split(".")[0]
                known = skus[code].get(sku)
                if known is None:
                    log.append(f"skipped reserved {code} {node} {m['term']} {payment} (pricing page): SKU {sku} not on the on-demand page, engine unknown")
                    continue
                if known[0] != node:
                    raise NormalizeError(f"reserved file '{name}': SKU {sku} is {known[0]} on the on-demand page, not {node}")
                on_demand = dec(e["OnDemand:PricePerUnit"])
                if on_demand != known[2]:
                    log.append(f"note: reserved {code} {node} {known[1]} replaces on-demand {money(on_demand)} (2024) but the page now says {money(known[2])}")
                upfront = e.get("riupfront:PricePerUnit")
                if upfront is None:
                    if payment != "no-upfront":
                        raise NormalizeError(f"reserved file '{name}': {node} {payment} without an upfront fee")
                    upfront = "0"
                upfront, hourly = dec(upfront), dec(e["price"])
                if payment == "all-upfront" and upfront <= 0:
                    raise NormalizeError(f"reserved file '{name}': {node} all-upfront with upfront {upfront}")
                rows.append({
                    "region": code, "node_type": node, "engine": known[1], "term": m["term"], "payment": payment,
                    "upfront_usd": money(upfront), "hourly_usd": money(hourly), "effective_hourly_usd": None,
                    "kind": "aws-pricing-page", "source": None, "as_of": as_of,
                    "note": f"pricing page rate code {e['rateCode']}",
                })
    for node, regions in sorted(skipped_nodes.items()):
        log.append(f"skipped pricing page reserved {node} in {len(regions)} region(s): node type not in the catalog")
    for code in sorted(skipped_regions):
        log.append(f"skipped pricing page reserved files of {code}: not a region capplan prices")
    newest = max(dates)
    src = sources.add("PG2_aws_pricing_page_reserved", "aws-pricing-page",
                      f"AWS ElastiCache pricing page JSON: reserved nodes, every region (published {newest})",
                      f"{origin['repo']} data/elasticache/elasticache-reservedinstance-<term>-<payment>-<region>-<class>.json "
                      f"@ {origin['commit']} (renamed, see reserved-files.json)", newest)
    out, seen = [], {}
    for r in rows:
        key = (r["region"], r["node_type"], r["engine"], r["term"], r["payment"])
        value = (r["upfront_usd"], r["hourly_usd"])
        if key in seen:
            if seen[key] != value:
                raise NormalizeError(f"the pricing page gives two reserved offers for {' '.join(key)}: {seen[key]} and {value}")
            continue
        seen[key] = value
        out.append(dict(r, source=src))
    return out


def same_offer(a, b):
    """Two reserved offers agree: the same upfront fee and hourly rate, or, where a source gives
    only the amortized rate (2022 snapshot, computed in floating point), the same amortized rate
    to 1e-9 $/hour."""
    if a[0] is not None and a[1] is not None and b[0] is not None and b[1] is not None:
        return dec(a[0]) == dec(b[0]) and dec(a[1]) == dec(b[1])

    def effective(v):
        if v[2] is not None:
            return dec(v[2])
        return dec(v[1]) + dec(v[0]) / Decimal(v[3] * 8760)
    return abs(effective(a) - effective(b)) <= Decimal("1e-9")


def offer_value(rec):
    years = int(rec["term"][0])
    value = (rec["upfront_usd"], rec["hourly_usd"], rec["effective_hourly_usd"], years)
    shown = (f"upfront {rec['upfront_usd']} + {rec['hourly_usd']}/h" if rec["effective_hourly_usd"] is None
             else f"effective {rec['effective_hourly_usd']}/h")
    return value, shown


def reserved_offers(data: Path, sources: Sources, catalog_names, log, page_rows):
    raw = json.loads((data / "pricing/reserved_offers.json").read_text())
    for sid, s in raw["meta"]["sources"].items():
        sources.add(sid, s["kind"], s["what"][:160], s["locator"], s["as_of"])
    groups = defaultdict(list)
    for r in raw["records"]:
        node = r["instance_type"]
        if node not in catalog_names:
            log.append(f"skipped reserved {r['region']} {node}: node type not in the catalog")
            continue
        engine_text = r["engine"]
        if engine_text.startswith("engine not stated"):
            log.append(f"skipped reserved {r['region']} {node} {r['term']} {r['purchase_option']} ({r['source']}): engine not stated")
            continue
        payment = PAYMENTS[r["purchase_option"]]
        upfront = r.get("upfront_usd")
        hourly = r.get("hourly_usd")
        effective = r.get("effective_hourly_usd")
        kind = r["kind"]
        note = r.get("note")
        if r["source"] == "R6_infracost" and payment != "no-upfront":
            log.append(f"dropped reserved {node} {r['term']} {payment} (R6): no upfront fee in the source")
            continue
        if r["source"] == "R5_ec2i_pr912" and r.get("effective_hourly_usd") is not None and upfront is None and hourly is None:
            log.append(f"dropped reserved {node} {r['term']} {payment} (R5): effective rate rounded to 3 dp; never compute from a rounded rate")
            continue
        if r["source"] == "R6_infracost" and upfront is None:
            upfront = 0.0
        if "upfront_recovered" in r:
            upfront = r["upfront_recovered"]
            hourly = 0.0
            effective = None
            note = "upfront = effective hourly x 26,280 (inverts the source's amortization)"
        if r.get("annual_cost_upfront_div_3") is not None and upfront is None:
            upfront = dec(r["annual_cost_upfront_div_3"]) * 3
            hourly = 0.0
            kind = "derived"
            note = "upfront = 3 x the published annual cost (rounded to cents by the source): within $0.02"
        if upfront is None and hourly is None and effective is None:
            raise NormalizeError(f"reserved record without amounts: {r}")
        if payment == "all-upfront" and (upfront is None or dec(upfront) == 0) and effective is None:
            raise NormalizeError(f"all-upfront offer without an upfront fee: {r}")
        engines = ["redis", "memcached"] if engine_text.startswith("redis_oss (= memcached)") else [ENGINES[engine_text]]
        if node.startswith("cache.r6gd."):
            engines = [e for e in engines if e != "memcached"]  # data tiering runs Valkey/Redis OSS only
        for engine in engines:
            rec = {
                "region": r["region"], "node_type": node, "engine": engine, "term": r["term"], "payment": payment,
                "upfront_usd": None if upfront is None else money(dec(upfront)),
                "hourly_usd": None if hourly is None else money(dec(hourly)),
                "effective_hourly_usd": None if effective is None or (upfront is not None and hourly is not None) else money(dec(effective)),
                "kind": kind, "source": r["source"], "as_of": date_of(r["as_of"]),
            }
            if rec["upfront_usd"] is None and rec["hourly_usd"] is not None and rec["effective_hourly_usd"] is None:
                if payment == "no-upfront":
                    rec["upfront_usd"] = "0"
                else:
                    raise NormalizeError(f"recurring part only: {r}")
            if rec["effective_hourly_usd"] is not None:
                rec["upfront_usd"] = None
                rec["hourly_usd"] = None
                note = note or "only the amortized hourly rate is published; upfront/recurring split unknown"
            notes = [note] if note else []
            if engine == "memcached":
                notes.append("Memcached reserved offer = Redis OSS offer (stated by the source)")
            if notes:
                rec["note"] = "; ".join(notes)
            rec["_value"], rec["_shown"] = offer_value(rec)
            groups[(r["region"], node, engine, r["term"], payment)].append(rec)
    for rec in page_rows:
        rec = dict(rec)
        rec["_value"], rec["_shown"] = offer_value(rec)
        groups[(rec["region"], rec["node_type"], rec["engine"], rec["term"], rec["payment"])].append(rec)
    out = {}
    for key, recs in groups.items():
        best = resolve(recs, "reserved " + " ".join(key), log, same_offer)
        out[key] = {k: v for k, v in best.items() if not k.startswith("_")}
    # derived Valkey offers
    for (region, node, engine, term, payment), r in list(out.items()):
        if engine != "redis" or (region, node, "valkey", term, payment) in out:
            continue
        scale = Decimal("0.8")
        rec = dict(r, engine="valkey", kind="derived")
        for field in ("upfront_usd", "effective_hourly_usd"):
            if r[field] is not None:
                rec[field] = money(scale * dec(r[field]))
        if r["hourly_usd"] is not None:
            rec["hourly_usd"] = money(rounded(scale * dec(r["hourly_usd"]), 4))
        rec["note"] = "derived: Valkey offer = 0.8 x the Redis OSS offer" + (f" ({r['note']})" if r.get("note") else "")
        out[(region, node, "valkey", term, payment)] = rec
    return list(out.values())


def serverless(data: Path, sources: Sources, page_rates, log):
    raw = json.loads((data / "pricing/serverless_by_region.json").read_text())
    for sid, s in raw["meta"]["sources"].items():
        sources.add(sid, s["kind"], s["what"][:160], s["locator"], s["as_of"])
    groups = defaultdict(list)
    for r in raw["records"]:
        dim = r["dimension"]
        if dim not in ("storage_usd_per_gb_hour", "ecpu_usd_per_million", "min_metered_storage_gb"):
            continue  # monthly floors and snapshot duplicates are not rates
        r = dict(r, _value=dec(r["value"]), _shown=money(dec(r["value"])), engine=ENGINES[r["engine"]], as_of=date_of(r["as_of"]))
        groups[(r["region"], r["engine"], dim)].append(r)
    for r in page_rates:
        groups[(r["region"], r["engine"], r["dimension"])].append(r)
    best = {k: resolve(v, "serverless " + " ".join(k), log) for k, v in groups.items()}
    rules = {e: best[("us-east-1", e, "min_metered_storage_gb")] for e in ("valkey", "redis", "memcached")}
    out = []
    regions = sorted({k[0] for k in best})
    for region in regions:
        for engine in ("valkey", "redis", "memcached"):
            storage = best.get((region, engine, "storage_usd_per_gb_hour"))
            ecpu = best.get((region, engine, "ecpu_usd_per_million"))
            if storage is None or ecpu is None:
                continue
            minimum = best.get((region, engine, "min_metered_storage_gb"))
            entry = {"region": region, "engine": engine}
            for name, rec in (("storage_usd_per_gb_hour", storage), ("ecpu_usd_per_million", ecpu)):
                entry[name] = {"value": money(rec["_value"]), "kind": rec["kind"], "source": rec["source"], "as_of": rec["as_of"]}
                if rec.get("note"):
                    entry[name]["note"] = rec["note"]
            if minimum is None:
                rule = rules[engine]
                entry["min_storage_gb"] = {"value": money(rule["_value"]), "kind": "derived", "source": rule["source"], "as_of": rule["as_of"],
                                           "note": "minimum metered storage is a product rule stated without region"}
            else:
                entry["min_storage_gb"] = {"value": money(minimum["_value"]), "kind": minimum["kind"], "source": minimum["source"], "as_of": minimum["as_of"]}
            out.append(entry)
    backups = []
    for b in raw["backup_storage"]:
        region = b["region"]
        if region.startswith("us-east-1 (stated"):
            continue
        backups.append({"region": region, "value": dec(b["usd_per_gb_month"]), "kind": b["kind"], "source": b["source"], "as_of": date_of(b["as_of"])})
    # The AWS FAQ states one rate for every region (aws-pricing-page); a regional record is kept
    # only when it is stronger evidence (a verbatim Price List row) — and it must agree.
    faq_rate = Decimal("0.085")
    faq = sources.add("FAQ_backup", "aws-pricing-page",
                      "AWS ElastiCache FAQ: one snapshot per active cache free; additional backup storage $0.085/GB-month in every region",
                      "https://aws.amazon.com/elasticache/faqs/ (quoted in FACTS.md)", "2026-08-04")
    backup_out = []
    for b in sorted(backups, key=lambda b: b["region"]):
        if b["value"] != faq_rate:
            raise NormalizeError(f"backup rate {b['value']} in {b['region']} disagrees with the FAQ's {faq_rate}")
        if KIND_RANK[b["kind"]] < KIND_RANK["aws-pricing-page"]:
            backup_out.append({"region": b["region"], "usd_per_gb_month": money(b["value"]), "kind": b["kind"], "source": b["source"], "as_of": b["as_of"]})
    backup_out.append({"region": "*", "usd_per_gb_month": money(faq_rate), "kind": "aws-pricing-page", "source": faq, "as_of": "2026-08-04",
                       "note": "the FAQ states the same rate for every region"})
    return out, backup_out


def extended_support(node_prices, verbatim, sources):
    rule_src = sources.add("ES_rule", "derived",
                           "Extended Support rule from verbatim Price List rows: years 1-2 = round(0.8 x Redis OSS node rate, 3), year 3 = round(1.6 x, 3)",
                           "us-west-2 cache.t3.medium, eu-west-1 cache.r7g.large, ap-northeast-2 cache.t4g.micro rows (nodes_ondemand_other_regions.json)",
                           "2026-09")
    known = {(v["region"], v["node_type"], v["period"]): v for v in verbatim}
    redis = {(p["region"], p["node_type"]): dec(p["usd_per_hour"]) for p in node_prices if p["engine"] == "redis"}
    # the rule must reproduce every verbatim row whose node price we hold
    for (region, node, period), v in known.items():
        base = redis.get((region, node))
        if base is None:
            continue
        factor = Decimal("0.8") if period == "yr1-2" else Decimal("1.6")
        if rounded(factor * base, 3) != dec(v["usd_per_hour"]):
            raise NormalizeError(f"Extended Support rule fails on {region} {node} {period}")
    out = []
    for (region, node), base in sorted(redis.items()):
        for period, factor in (("yr1-2", Decimal("0.8")), ("yr3", Decimal("1.6"))):
            if (region, node, period) in known:
                v = dict(known[(region, node, period)])
                out.append(v)
            else:
                out.append({"region": region, "node_type": node, "period": period,
                            "usd_per_hour": money(rounded(factor * base, 3)), "kind": "derived", "source": rule_src,
                            "as_of": sources.table[rule_src]["as_of"],
                            "note": f"derived: round({factor} x Redis OSS node rate {money(base)}, 3)"})
    schedule = [
        {"major": 4, "starts": "2026-02-01"},
        {"major": 5, "starts": "2026-02-01"},
        {"major": 6, "starts": "2027-02-01"},
    ]
    return out, schedule


def size_gib(text: str) -> str:
    number, unit = text.split()[:2]
    value = dec(number)
    factor = {"MB": Decimal(1) / Decimal(1024), "GB": Decimal(1), "TB": Decimal(1024)}[unit]
    return money(value * factor)


def upstash(data: Path, sources: Sources):
    raw = json.loads((data / "pricing/upstash_redis_pricing_compiled.json").read_text())
    src = sources.add("U1_upstash", "third-party",
                      "Upstash billing docs and pricing data (upstash/docs billing.mdx, upstash/upstash-web redis.ts)",
                      "; ".join(raw["meta"]["sources"]), "2026-08-21")
    free = raw["free"]
    payg = raw["payg"]
    plans = [{
        "id": "free", "name": "Free", "usd_month": "0",
        "data_gib": size_gib(free["data_size"]), "monthly_commands": free["monthly_commands"],
        "bandwidth_gb_month": money(dec(free["monthly_bandwidth_gb"])), "max_cmds_per_sec": free["max_cmds_per_sec"],
        "max_request_mib": money(dec(free["max_request"].split()[0])), "max_record_mib": money(dec(free["max_record"].split()[0])),
    }]
    for f in raw["fixed"]:
        name = f["name"]
        plan_id = "fixed-" + name.split()[1].lower()
        record = f["max_record"].split()
        plans.append({
            "id": plan_id, "name": name, "usd_month": money(dec(f["usd_month"])),
            "read_region_usd_month": money(dec(f["read_region_usd_month"])),
            "data_gib": size_gib(f["data"]), "bandwidth_gb_month": size_gib(f["bandwidth"]),
            "max_cmds_per_sec": f["max_cmds_per_sec"],
            "max_request_mib": money(dec(f["max_request"].split()[0])),
            "max_record_mib": money(dec(record[0]) * (1024 if record[1] == "GB" else 1)),
        })
    return {
        "source": src, "kind": "third-party", "as_of": "2026-08-21",
        "regions": raw["regions"]["aws"],
        "payg": {
            "usd_per_100k_commands": money(dec(payg["usd_per_100k_commands"])),
            "storage_usd_per_gb_month": money(dec(payg["storage_usd_per_gb_month"])),
            "storage_free_gb": money(dec(payg["storage_free_gb"])),
            "bandwidth_free_gb_month": money(dec(payg["bandwidth_free_gb_month"])),
            "bandwidth_usd_per_gb": money(dec(payg["bandwidth_usd_per_gb_over"])),
            "max_data_gib": size_gib(payg["max_data_size"]),
            "max_cmds_per_sec": payg["max_cmds_per_sec"],
            "max_request_mib": money(dec(payg["max_request"].split()[0])),
            "max_record_mib": money(dec(payg["max_record"].split()[0])),
        },
        "plans": plans,
        "prod_pack_usd_month": money(dec(raw["prod_pack_usd_month_per_db"])),
    }


def savings_plans(data: Path, sources: Sources):
    """Database Savings Plans for ElastiCache, from `pricing/database_savings_plans.json` (claims
    with their sources). No official rate table exists: every rate is a reported discount, kind
    `third-party`, noted unverified. Each claim used is looked up by its source and wording, so a
    changed file fails the build instead of silently changing a rate."""
    raw = json.loads((data / "pricing/database_savings_plans.json").read_text())

    def fact(source_part, *wording):
        found = [f for f in raw["facts"] if source_part in f["source"] and all(w in f["claim"] for w in wording)]
        if len(found) != 1:
            raise NormalizeError(f"database_savings_plans.json: expected one claim from {source_part} saying {wording}, found {len(found)}")
        return found[0]

    def first_date(text):  # '2025-12/2026' -> '2025-12' (when it was first stated), '2025-12+' -> '2025-12'
        return date_of(text.split("/")[0])

    terms = fact("aws.amazon.com/jp/savingsplans/database-pricing", "1-year", "no upfront")
    coverage = fact("cloudcombinator", "Generation 7 and newer", "Valkey")
    nodes = fact("nops.io", "up to 20%")
    serverless = fact("classmethod", "30%")
    older = fact("cloudyali", "not covered")
    terms_src = sources.add("DSP1_aws_page", "aws-pricing-page",
                "AWS Database Savings Plans page (Japanese): 1-year term, no upfront, up to 35 % off, any engine, family, size or region",
                terms["source"].split(" ")[0], first_date(terms["as_of"]))
    coverage_src = sources.add("DSP2_cloudcombinator", "third-party",
                "cloudcombinator: Database Savings Plans cover ElastiCache for Valkey only, generation 7 and newer nodes and Serverless",
                coverage["source"], first_date(coverage["as_of"]))
    nodes_src = sources.add("DSP3_nops", "third-party",
                            "nOps: Database Savings Plans up to 20 % off instance-based workloads, up to 35 % off serverless",
                            nodes["source"], first_date(nodes["as_of"]))
    serverless_src = sources.add("DSP4_classmethod", "third-party",
                                 "Classmethod (AWS partner): ElastiCache Serverless about 30 % off with Database Savings Plans",
                                 serverless["source"].split(" ")[0], first_date(serverless["as_of"]))
    common = (f"unverified: a reported discount, no AWS rate table found; 1 year, no upfront ({terms_src}); "
              f"ElastiCache for Valkey only, not Redis OSS or Memcached ({coverage_src})")
    records = [
        {"plan": "database-savings-plans", "engine": "valkey", "deployment": "serverless", "min_generation": None,
         "discount_pct": "30", "up_to": False, "term": "1yr", "payment": "no-upfront",
         "kind": "third-party", "source": serverless_src, "as_of": sources.table[serverless_src]["as_of"],
         "note": common + "; about 30 % off Serverless for Valkey (an ap-northeast-1 ECPU rate in a test fixture gives 29.6 %)"},
        {"plan": "database-savings-plans", "engine": "valkey", "deployment": "nodes", "min_generation": 7,
         "discount_pct": "20", "up_to": True, "term": "1yr", "payment": "no-upfront",
         "kind": "third-party", "source": nodes_src, "as_of": sources.table[nodes_src]["as_of"],
         "note": common + "; up to 20 % is reported for instances in general, not per ElastiCache node; generation 7 and newer "
                          "nodes only (whether c7gn is included is not published); t3, t4g, m5, m6g, r5, r6g, r6gd are not covered "
                          f"({older['source'].split(' ')[0]}): reserved nodes remain the commitment there"},
    ]
    return records, {terms_src, coverage_src}


def build(data: Path):
    log = []
    sources = Sources()
    catalog = node_catalog(data)
    names = {n["name"] for n in catalog}
    page_nodes, page_serverless, skus = page_on_demand(data, sources, names, log)
    other, verbatim_es = other_region_nodes(data, sources, names, log)
    prices = node_prices(us_east_1_nodes(data, sources, names) + other + page_nodes, log)
    page_offers = page_reserved(data, sources, names, skus, log)
    reserved = reserved_offers(data, sources, names, log, page_offers)
    reserved.sort(key=lambda r: (r["region"], r["node_type"], r["engine"], r["term"], r["payment"]))
    sl, backup = serverless(data, sources, page_serverless, log)
    es, schedule = extended_support(prices, verbatim_es, sources)
    es.sort(key=lambda e: (e["region"], e["node_type"], e["period"]))
    transfer_src = sources.add("DT_cross_az", "aws-pricing-page",
                               "AWS data transfer pricing: client traffic across Availability Zones $0.01/GB in each direction; same-AZ and primary-replica replication free",
                               "https://aws.amazon.com/elasticache/pricing/ (Data transfer), https://aws.amazon.com/ec2/pricing/on-demand/ (quoted in FACTS.md)",
                               "2026-08-04")
    cache = {
        "schema_version": SCHEMA_VERSION,
        "as_of": CACHE_AS_OF,
        "built_by": "scripts/normalize_pricing.py",
        "currency": "USD",
        "hours_per_month": 730,
        "sources": dict(sorted(sources.table.items())),
        "node_types": catalog,
        "node_prices": prices,
        "reserved": reserved,
        "serverless": sl,
        "backup": backup,
        "extended_support": es,
        "extended_support_schedule": schedule,
        "cross_az_transfer": {"usd_per_gb": "0.01", "kind": "aws-pricing-page", "source": transfer_src, "as_of": "2026-08-04"},
        "upstash": upstash(data, sources),
        "savings_plans": None,
    }
    # the Savings Plans notes cite two sources besides the one each record names
    cache["savings_plans"], dsp_cited = savings_plans(data, sources)
    cache["sources"] = dict(sorted(sources.table.items()))
    used = set()
    for section in ("node_prices", "reserved", "backup", "extended_support"):
        used |= {r["source"] for r in cache[section]}
    for s in cache["serverless"]:
        used |= {s[k]["source"] for k in ("storage_usd_per_gb_hour", "ecpu_usd_per_million", "min_storage_gb")}
    used |= {cache["upstash"]["source"], transfer_src} | {r["source"] for r in cache["savings_plans"]} | dsp_cited
    missing = used - set(cache["sources"])
    if missing:
        raise NormalizeError(f"records cite undefined sources: {sorted(missing)}")
    cache["sources"] = {k: v for k, v in cache["sources"].items() if k in used}
    return cache, log


# Every input the build reads. A name ending in "/" is a folder: every file in it is an input,
# hashed together (sha256 of its "name sha256" lines, sorted by name) in the manifest.
INPUTS = [
    "aws/elasticache_node_types.json",
    "pricing/elasticache_nodes_us-east-1_compiled.json",
    "pricing/valkey_verification_us-east-1.json",
    "pricing/nodes_ondemand_other_regions.json",
    "pricing/reserved_offers.json",
    "pricing/serverless_by_region.json",
    "pricing/upstash_redis_pricing_compiled.json",
    "pricing/aws-pricing-page/elasticache.json",
    "pricing/aws-pricing-page/reserved-files.json",
    "pricing/aws-pricing-page/reserved/",
    "pricing/database_savings_plans.json",
]
# Vendored beside the inputs (provenance, not read by the build): kept in step with upstream too.
VENDORED = INPUTS + ["pricing/ORIGIN.md"]


def input_files(root: Path, name: str):
    """The files an INPUTS entry stands for, as paths relative to `root` (sorted)."""
    if not name.endswith("/"):
        return [name] if (root / name).is_file() else []
    folder = root / name
    if not folder.is_dir():
        return []
    return sorted(name + p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def input_hash(root: Path, name: str) -> str:
    """sha256 of one input file, or of a folder's sorted "name sha256" lines."""
    if not name.endswith("/"):
        return hashlib.sha256((root / name).read_bytes()).hexdigest()
    files = input_files(root, name)
    if not files:
        raise NormalizeError(f"input folder {name} is missing or empty")
    lines = "".join(f"{f[len(name):]} {hashlib.sha256((root / f).read_bytes()).hexdigest()}\n" for f in files)
    return hashlib.sha256(lines.encode()).hexdigest()


def upstream_changes(vendored: Path, upstream: Path):
    """The vendored files that differ from (or are missing in) the upstream research folder.
    Folders are compared file by file, both ways."""
    changed = []
    for entry in VENDORED:
        names = sorted(set(input_files(vendored, entry)) | set(input_files(upstream, entry))) if entry.endswith("/") else [entry]
        if entry.endswith("/") and not names:
            changed.append((entry, "missing here and upstream"))
        for name in names:
            ours, theirs = vendored / name, upstream / name
            if not theirs.exists():
                changed.append((name, "no longer upstream"))
            elif not ours.exists():
                changed.append((name, "new upstream"))
            elif ours.read_bytes() != theirs.read_bytes():
                changed.append((name, "changed upstream"))
    return changed


def dump(cache) -> str:
    """Readable, diffable JSON: one record per line inside each top-level list or map."""
    def one(value):
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))

    parts = []
    for key, value in cache.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            inner = ",\n".join("  " + one(v) for v in value)
            parts.append(f" {one(key)}: [\n{inner}\n ]")
        elif isinstance(value, dict) and key == "sources":
            inner = ",\n".join(f"  {one(k)}: {one(v)}" for k, v in value.items())
            parts.append(f" {one(key)}: {{\n{inner}\n }}")
        else:
            parts.append(f" {one(key)}: {one(value)}")
    text = "{\n" + ",\n".join(parts) + "\n}\n"
    if json.loads(text) != cache:
        raise NormalizeError("dump does not round-trip")
    return text


REGION_DIR = "regions"


def split(cache):
    """The index (everything but per-region prices) and one chunk per region.

    The binary embeds every chunk but parses a region's only when a plan first asks for it:
    start-up cost stays that of the index however many regions the cache covers."""
    regions = sorted({r["region"] for section in ("node_prices", "reserved", "serverless", "extended_support")
                      for r in cache[section]} | {b["region"] for b in cache["backup"] if b["region"] != "*"})
    unknown = [r for r in regions if r not in REGION_NAMES]
    if unknown:
        raise NormalizeError(f"no display name for region(s) {unknown}: add them to LOCATIONS")
    chunks = {}
    for region in regions:
        def mine(section):
            return [{k: v for k, v in r.items() if k != "region"} for r in cache[section] if r["region"] == region]
        backup = mine("backup")
        chunks[region] = {
            "schema_version": SCHEMA_VERSION,
            "region": region,
            "node_prices": mine("node_prices"),
            "reserved": mine("reserved"),
            "serverless": mine("serverless"),
            "backup": backup[0] if backup else None,
            "extended_support": mine("extended_support"),
        }
    defaults = [b for b in cache["backup"] if b["region"] == "*"]
    if len(defaults) != 1:
        raise NormalizeError("exactly one default backup rate ('*') is needed")
    index = {}
    for key, value in cache.items():
        if key in ("node_prices", "reserved", "serverless", "extended_support"):
            continue
        if key == "backup":
            index["backup_default"] = {k: v for k, v in defaults[0].items() if k != "region"}
            continue
        if key == "node_types":
            index["regions"] = [{
                "code": region, "name": REGION_NAMES[region], "file": f"{REGION_DIR}/{region}.json",
                "node_prices": len(chunks[region]["node_prices"]), "reserved": len(chunks[region]["reserved"]),
                "serverless": [s["engine"] for s in chunks[region]["serverless"]],
            } for region in regions]
        index[key] = value
    return index, chunks


def render(data: Path):
    """Every output file (path relative to --out: text), and the skipped-record log."""
    cache, log = build(data)
    index, chunks = split(cache)
    files = {"elasticache.json": dump(index)}
    for region, chunk in chunks.items():
        files[f"{REGION_DIR}/{region}.json"] = dump(chunk)
    lines = [
        "# The embedded pricing cache: what it is built from. Regenerate with",
        "#   python3 scripts/normalize_pricing.py",
        f"schema_version = {SCHEMA_VERSION}",
        f'as_of = "{CACHE_AS_OF}"',
        'output = "elasticache.json"',
        f'output_sha256 = "{hashlib.sha256(files["elasticache.json"].encode()).hexdigest()}"',
        f"regions = {len(chunks)}",
        f"node_types = {len(cache['node_types'])}",
        f"node_prices = {len(cache['node_prices'])}",
        f"reserved_offers = {len(cache['reserved'])}",
        f"serverless_rates = {len(cache['serverless'])}",
        "",
        "# one chunk per region, parsed only when a plan uses the region",
        "[outputs]",
    ]
    for name, text in files.items():
        if name != "elasticache.json":
            lines.append(f'"{name}" = "{hashlib.sha256(text.encode()).hexdigest()}"')
    lines += ["", "[inputs]"]
    for name in INPUTS:
        if name.endswith("/"):
            lines.append(f"# {len(input_files(data, name))} files: sha256 of their sorted \"name sha256\" lines")
        lines.append(f'"{name}" = "{input_hash(data, name)}"')
    files["MANIFEST.toml"] = "\n".join(lines) + "\n"
    return files, log


def stale_outputs(out: Path, files):
    """Output files that differ from `files`, are missing, or should not be there any more."""
    stale = [out / name for name, text in files.items() if not (out / name).is_file() or (out / name).read_text() != text]
    region_dir = out / REGION_DIR
    if region_dir.is_dir():
        stale += [p for p in sorted(region_dir.iterdir()) if f"{REGION_DIR}/{p.name}" not in files]
    return stale


def main(argv=None):
    here = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=here / "pricing-cache" / "sources", help="research data folder (default pricing-cache/sources, the vendored inputs)")
    parser.add_argument("--out", type=Path, default=here / "pricing-cache", help="output folder (default pricing-cache/)")
    parser.add_argument("--check", action="store_true", help="fail if the committed cache differs from a fresh build")
    parser.add_argument("--verbose", action="store_true", help="list skipped and dropped records")
    parser.add_argument("--upstream", type=Path, help="compare the vendored inputs with this research folder (e.g. ../shared/data) and list what differs")
    parser.add_argument("--sync", action="store_true", help="with --upstream: copy the differing files into --data")
    args = parser.parse_args(argv)
    if args.upstream is not None:
        if not args.upstream.is_dir():
            print(f"normalize_pricing: no upstream folder at {args.upstream}; nothing to compare", file=sys.stderr)
            return 0
        changed = upstream_changes(args.data, args.upstream)
        if not changed:
            print(f"vendored pricing inputs match {args.upstream}")
            return 0
        print(f"notice: {len(changed)} vendored pricing input(s) differ from {args.upstream}:")
        for name, how in changed:
            print(f"  {name}: {how}")
        if args.sync:
            for name, how in changed:
                if how == "no longer upstream":
                    continue
                target = args.data / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes((args.upstream / name).read_bytes())
            print("copied; now run python3 scripts/normalize_pricing.py to rebuild the cache, and review the diff")
        else:
            print(f"  to take them: python3 scripts/normalize_pricing.py --upstream {args.upstream} --sync && python3 scripts/normalize_pricing.py")
        return 0
    if args.sync:
        parser.error("--sync needs --upstream DIR")
    try:
        files, log = render(args.data)
    except (NormalizeError, KeyError, ValueError, OSError) as err:
        print(f"normalize_pricing: {err}", file=sys.stderr)
        return 2
    if args.verbose:
        for line in log:
            print(line, file=sys.stderr)
    if args.check:
        stale = stale_outputs(args.out, files)
        if stale:
            shown = ", ".join(str(p) for p in stale[:5]) + (f" and {len(stale) - 5} more" if len(stale) > 5 else "")
            print(f"normalize_pricing: out of date: {shown} (run python3 scripts/normalize_pricing.py)", file=sys.stderr)
            return 1
        print("pricing cache is up to date")
        return 0
    (args.out / REGION_DIR).mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = args.out / name
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(text)
        tmp.replace(path)
    removed = [p for p in sorted((args.out / REGION_DIR).iterdir()) if f"{REGION_DIR}/{p.name}" not in files]
    for p in removed:
        p.unlink()
    size = sum(len(t.encode()) for t in files.values())
    print(f"wrote {len(files)} files to {args.out} ({size} bytes: index {len(files['elasticache.json'].encode())}, "
          f"{len(files) - 2} region chunks){f', removed {len(removed)} stale' if removed else ''}; "
          f"{len(log)} log lines (--verbose lists them)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
