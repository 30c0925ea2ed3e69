#!/usr/bin/env python3
"""AWS Price List test server for capplan: GetProducts and the bulk offer files on 127.0.0.1.

The integration tests (tests/it/pricing.rs) start this script and point the real capplan binary
at it: the real aws-sdk-pricing client through AWS_ENDPOINT_URL, the bulk download through
CAPPLAN_PRICE_LIST_URL. Nothing here reaches beyond 127.0.0.1; standard library only.

What it serves, in the Price List's real shapes:
  * POST /  with X-Amz-Target: AWSPriceListService.GetProducts (awsJson1_1): the region's products
    named by the regionCode TERM_MATCH filter, `PriceList` an array of JSON documents as strings
    (`product`, `serviceCode`, `terms.OnDemand` / `terms.Reserved` keyed by term, `version`,
    `publicationDate`), paged by MaxResults (and the page size set below) with an opaque NextToken;
  * GET /offers/v1.0/aws/AmazonElastiCache/current/region_index.json: every region, with its
    `currentVersionUrl`;
  * GET /offers/v1.0/aws/AmazonElastiCache/<version>/<region>/index.json: the region's bulk offer
    file (`products` by SKU, `terms.OnDemand` / `terms.Reserved` by SKU then term).

The products are built from real data vendored in the repository (nothing is invented but the
decoys' prices, see below; tests/fixtures/pricelist/ORIGIN.md says the same):
  * every on-demand node price and Serverless rate of the AWS pricing page JSON
    (pricing-cache/sources/pricing/aws-pricing-page/elasticache.json): each entry's rateCode is
    `<SKU>.JRTCKXETXF.6YS6EN2CT7`, so it becomes one Price List product with that SKU and its
    on-demand term; the engine gives `cacheEngine` and `operation`;
  * every reserved offer of the page's reserved JSON (pricing-cache/sources/pricing/aws-pricing-
    page/reserved/): rows name the same SKUs and carry `<SKU>.<term>.<dimension>` rate codes, the
    hourly `price` and the upfront fee (`riupfront:PricePerUnit`, its own rate code): each becomes a
    Reserved term of its product with an `Hrs` and a `Quantity` "Upfront Fee" dimension;
  * in us-east-1, the verbatim Price List excerpt for cache.c7gn.large (tests/fixtures/pricelist/
    pricelist_offer_excerpt_...json, offer 20250624130639): its product attributes as they are, its
    three SKUs' reserved terms (filed under `OnDemand` in that fixture, moved to `Reserved` where
    real answers have them);
  * one `Storage Snapshot` product ($0.085/GB-month, the FAQ's rate) and Serverless `BackupUsage`
    rows per region, usagetypes as quoted in the vendored serverless sources;
  * decoys, listed BEFORE the real products so that taking the first SKU would fail: Extended
    Support (`ExtendedSupportYr1_Yr2-NodeUsage:` / `ExtendedSupportYr3-NodeUsage:`; verbatim values
    where the vendored sources quote them, else the Extended Support rule), SyncDurability add-ons
    (verbatim where quoted, else 0.18 x the Valkey node price) and Outposts products (the plain
    NodeUsage usagetype, `locationType` "AWS Outposts", 1.25 x the node price: constructed).
Usagetypes carry the region's prefix (none for us-east-1 nodes); the prefixes of newer regions
are assumed, the client strips any upper-case prefix.

Control API (JSON):
  POST   /_harness/faults      {"op": "GetProducts" | "region_index" | "offer", "kind": "access_denied" |
                                "throttle" | "server_error" | "sleep", "page": 3 (GetProducts: only that
                                page), "times": 2 (default: every request), "seconds": 5 (sleep)}
  DELETE /_harness/faults      clear every fault
  GET    /_harness/calls       {"GetProducts": 4, "region_index": 1, "offer": 1} requests per operation
  POST   /_harness/pricelist   {"publication": "2026-11-20T09:00:00Z", "version": "20261120090000",
                                "page_size": 40, "price": [{"region", "instanceType", "engine", "usd"}],
                                "drop": [{"region", "family"}], "empty": ["ap-east-2"]} changes what is served
  GET    /_harness/count/<region>   {"products": N, "page_size": P}

`python3 pricelist_front.py --dump REGION [INSTANCE_TYPE]` prints the GetProducts answer (every
product of the region, or of one node type with its decoys) instead of serving.
It prints "READY <port>" once it listens and exits when its standard input closes.
"""

import copy
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
from normalize_pricing import LOCATIONS, PAGE_NODE, PAGE_SERVERLESS  # noqa: E402

PAGE = REPO / "pricing-cache/sources/pricing/aws-pricing-page"
EXCERPT = REPO / "tests/fixtures/pricelist/pricelist_offer_excerpt_cache.c7gn.large_us-east-1_20250624.json"
OFFER_PREFIX = "/offers/v1.0/aws/AmazonElastiCache/"
ON_DEMAND = "JRTCKXETXF"
HOURLY_DIM = "6YS6EN2CT7"
UPFRONT_DIM = "2TG2D8R56U"
ENGINE_OPERATION = {"Valkey": "CreateCacheCluster:Valkey", "Redis": "CreateCacheCluster:0002", "Memcached": "CreateCacheCluster:0001"}
# usagetype prefixes (us-east-1 node usagetypes have none; its Serverless ones are USE1-)
PREFIX = {
    "us-east-1": "USE1", "us-east-2": "USE2", "us-west-1": "USW1", "us-west-2": "USW2", "eu-west-1": "EU",
    "eu-central-1": "EUC1", "eu-west-2": "EUW2", "eu-west-3": "EUW3", "eu-north-1": "EUN1", "eu-south-1": "EUS1",
    "eu-south-2": "EUS2", "eu-central-2": "EUC2", "ap-northeast-1": "APN1", "ap-northeast-2": "APN2",
    "ap-northeast-3": "APN3", "ap-southeast-1": "APS1", "ap-southeast-2": "APS2", "ap-south-1": "APS3",
    "ap-southeast-3": "APS4", "ap-south-2": "APS5", "ap-southeast-4": "APS6", "ap-southeast-5": "APS7",
    "ap-southeast-7": "APS9", "ap-east-1": "APE1", "af-south-1": "AFS1", "ca-central-1": "CAN1", "ca-west-1": "CAW1",
    "sa-east-1": "SAE1", "me-south-1": "MES1", "me-central-1": "MEC1", "il-central-1": "ILC1", "mx-central-1": "MXC1",
}
# verbatim add-on rows quoted by the vendored sources (nodes_ondemand_other_regions.json)
VERBATIM_SUPPORT = {
    ("eu-west-1", "cache.r7g.large"): ("0.194", "0.389"),
    ("us-west-2", "cache.t3.medium"): ("0.054", "0.109"),
    ("ap-northeast-2", "cache.t4g.micro"): ("0.019", "0.038"),
}
VERBATIM_SYNC = {
    ("eu-west-1", "cache.r7g.large"): "0.035",
    ("ap-southeast-1", "cache.r7g.large"): "0.0379",
    ("ap-northeast-1", "cache.r7g.large"): "0.0379",
    ("us-east-1", "cache.m7g.large"): "0.0228",
}
DECOY_NODES = ("cache.r7g.large", "cache.m7g.large", "cache.t3.medium", "cache.t4g.micro")


def dec_text(x):
    from decimal import Decimal

    return format(Decimal(x).normalize(), "f")


def price10(x):
    from decimal import Decimal

    return format(Decimal(x).quantize(Decimal("0.0000000001")), "f")


class Data:
    """Price List products per region, built once per region from the vendored page JSON."""

    def __init__(self):
        self.page = json.loads((PAGE / "elasticache.json").read_text())
        self.names = {code: name for name, (code, what) in LOCATIONS.items() if what == "region"}
        self.cache = {}
        self.lock = threading.Lock()

    def regions(self):
        return sorted(code for code, name in self.names.items() if name in self.page["regions"])

    def region(self, code):
        with self.lock:
            if code not in self.cache:
                self.cache[code] = self._build(code)
            return self.cache[code]

    def _reserved_rows(self, code):
        rows = []
        for f in sorted((PAGE / "reserved").glob(f"{code}_*.json")):
            doc = dict(json.loads(f.read_text(), object_pairs_hook=lambda pairs: pairs))
            for _location, entries in doc["regions"]:
                for _key, entry in entries:
                    rows.append(dict(entry))
        return rows

    def _build(self, code):
        """(decoys, products): lists of {"product": {...}, "terms": {...}} without dates."""
        name = self.names.get(code)
        entries = self.page["regions"].get(name) if name else None
        if not entries:
            return [], []
        in_sets = {key for keys in self.page["sets"].values() for key in keys}
        pfx = PREFIX.get(code, "X" + code.replace("-", "").upper()[:4])
        node_pfx = "" if code == "us-east-1" else pfx + "-"
        products, by_sku, nodes = [], {}, {}
        for key, e in entries.items():
            if key in in_sets or key == e.get("RegionlessRateCode"):
                continue  # the id entries duplicate the named ones
            sku = e["rateCode"].split(".")[0]
            m = PAGE_NODE.fullmatch(key)
            if m:
                node, engine = "cache." + m["node"], m["engine"]
                family = key.split(" cache ")[0].replace("OnDemand Cache Instance ", "")
                attrs = {
                    "servicecode": "AmazonElastiCache", "location": name, "locationType": "AWS Region",
                    "instanceType": node, "currentGeneration": "Yes" if "Current Generation" in key else "No",
                    "instanceFamily": family, "vcpu": e.get("vCPU", ""), "memory": e.get("Memory", ""),
                    "networkPerformance": e.get("Network Performance", ""), "cacheEngine": engine,
                    "usagetype": f"{node_pfx}NodeUsage:{node}", "operation": ENGINE_OPERATION[engine],
                    "regionCode": code, "servicename": "Amazon ElastiCache",
                }
                item = self._item(sku, "Cache Instance", attrs, e["price"], "Hrs",
                                  f"${dec_text(e['price'])} per {engine} {node} node hour in {name}")
                products.append(item)
                by_sku[sku] = item
                nodes[(node, engine)] = dec_text(e["price"])
                continue
            m = PAGE_SERVERLESS.fullmatch(key)
            if m:
                engine = m["engine"]
                meter, unit = ("CachedData", "GB-Hours") if m["dim"] == "GB-Hours" else ("ElastiCacheProcessingUnits", "ECPU")
                attrs = {
                    "servicecode": "AmazonElastiCache", "location": name, "locationType": "AWS Region",
                    "usagetype": f"{pfx}-{meter}:{engine}", "operation": "CreateServerlessCache", "regionCode": code,
                    "servicename": "Amazon ElastiCache",
                }
                products.append(self._item(sku, "ElastiCache Serverless", attrs, e["price"], unit,
                                           f"${dec_text(e['price'])} per {unit} for {engine} Serverless in {name}"))
        for row in self._reserved_rows(code):
            sku, term_code, _ = row["rateCode"].split(".")
            item = by_sku.get(sku)
            if item is None:
                continue
            dims = {row["rateCode"]: self._dim(row["rateCode"], "Hrs", row["price"],
                                               f"{item['product']['attributes']['cacheEngine']}, {row['Instance Type']} reserved instance applied")}
            if row.get("riupfront:PricePerUnit") is not None:
                rc = row.get("riupfront:RateCode") or f"{sku}.{term_code}.{UPFRONT_DIM}"
                dims[rc] = self._dim(rc, "Quantity", row["riupfront:PricePerUnit"], "Upfront Fee", ranged=False)
            item["terms"]["Reserved"][f"{sku}.{term_code}"] = {
                "offerTermCode": term_code, "sku": sku, "priceDimensions": dims,
                "termAttributes": {"LeaseContractLength": row["LeaseContractLength"],
                                   "PurchaseOption": row["PurchaseOption"], "OfferingClass": "standard"},
            }
        if code == "us-east-1":
            self._excerpt(by_sku)
        for sku_suffix, family, usage, attrs_extra in (
            ("SNAPSHOT", "Storage Snapshot", f"{pfx}-BackupUsage", {}),
            ("SLSBKPVALKEY", "ElastiCache Serverless", f"{pfx}-BackupUsage:Valkey", {}),
            ("SLSBKPREDIS", "ElastiCache Serverless", f"{pfx}-BackupUsage:Redis", {}),
        ):
            attrs = {"servicecode": "AmazonElastiCache", "location": name, "locationType": "AWS Region",
                     "usagetype": usage, "regionCode": code, "servicename": "Amazon ElastiCache", **attrs_extra}
            products.append(self._item(f"{pfx}{sku_suffix}", family, attrs, "0.085", "GB-Mo",
                                       f"$0.085 per GB-month of snapshot storage in {name}"))
        return self._decoys(code, name, node_pfx, nodes), products

    def _excerpt(self, by_sku):
        doc = json.loads(EXCERPT.read_text())
        for sku, product in doc["products"].items():
            if sku in by_sku:
                by_sku[sku]["product"]["attributes"] = dict(product["attributes"])
        for sku, terms in doc["terms"]["OnDemand"].items():
            item = by_sku.get(sku)
            if item is None:
                continue
            for key, t in terms.items():
                if "LeaseContractLength" in t.get("termAttributes", {}):
                    t = copy.deepcopy(t)
                    t.pop("effectiveDate", None)
                    item["terms"]["Reserved"][key] = t

    def _decoys(self, code, name, node_pfx, nodes):
        from decimal import ROUND_HALF_UP, Decimal

        out = []
        for node in DECOY_NODES:
            redis = nodes.get((node, "Redis"))
            valkey = nodes.get((node, "Valkey"))
            short = node.replace("cache.", "").replace(".", "").upper()
            if redis is not None:
                pair = VERBATIM_SUPPORT.get((code, node)) or tuple(
                    dec_text((Decimal(f) * Decimal(redis)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)) for f in ("0.8", "1.6"))
                for usage, price in ((f"ExtendedSupportYr1_Yr2-NodeUsage:{node}", pair[0]), (f"ExtendedSupportYr3-NodeUsage:{node}", pair[1])):
                    attrs = self._node_attrs(code, name, node, "Redis", f"{node_pfx}{usage}")
                    out.append(self._item(f"ES{'12' if 'Yr1' in usage else '3'}{short}{PREFIX.get(code, '')}", "Cache Instance", attrs, price, "Hrs",
                                          f"${price} per Hr for {usage.split(':')[0]}"))
                attrs = self._node_attrs(code, name, node, "Redis", f"{node_pfx}NodeUsage:{node}")
                attrs.update(locationType="AWS Outposts", location=f"{name} Outposts")
                out.append(self._item(f"OUTPOSTSREDIS{short}", "Cache Instance", attrs,
                                      dec_text(Decimal(redis) * Decimal("1.25")), "Hrs", f"Outposts {node} Redis"))
            if valkey is not None:
                sync = VERBATIM_SYNC.get((code, node)) or dec_text((Decimal(valkey) * Decimal("0.18")).quantize(Decimal("0.0001")))
                attrs = self._node_attrs(code, name, node, "Valkey", f"{node_pfx}SyncDurability-NodeUsage:{node}")
                out.append(self._item(f"SYNCDUR{short}", "Cache Instance", attrs, sync, "Hrs",
                                      f"${sync} per Hr for SyncDurability-NodeUsage:{node} in {name}"))
                attrs = self._node_attrs(code, name, node, "Valkey", f"{node_pfx}NodeUsage:{node}")
                attrs.update(locationType="AWS Outposts", location=f"{name} Outposts")
                out.append(self._item(f"OUTPOSTSVALKEY{short}", "Cache Instance", attrs,
                                      dec_text(Decimal(valkey) * Decimal("1.25")), "Hrs", f"Outposts {node} Valkey"))
        return out

    @staticmethod
    def _node_attrs(code, name, node, engine, usage):
        return {"servicecode": "AmazonElastiCache", "location": name, "locationType": "AWS Region", "instanceType": node,
                "cacheEngine": engine, "usagetype": usage, "operation": ENGINE_OPERATION[engine], "regionCode": code,
                "servicename": "Amazon ElastiCache"}

    @staticmethod
    def _dim(rate_code, unit, price, description, ranged=True):
        d = {"rateCode": rate_code, "description": description, "unit": unit, "pricePerUnit": {"USD": price10(price)}, "appliesTo": []}
        if ranged:
            d = {"rateCode": rate_code, "description": description, "beginRange": "0", "endRange": "Inf", "unit": unit,
                 "pricePerUnit": {"USD": price10(price)}, "appliesTo": []}
        return d

    def _item(self, sku, family, attrs, price, unit, description):
        rc = f"{sku}.{ON_DEMAND}.{HOURLY_DIM}"
        return {
            "product": {"productFamily": family, "attributes": attrs, "sku": sku},
            "serviceCode": "AmazonElastiCache",
            "terms": {
                "OnDemand": {f"{sku}.{ON_DEMAND}": {"offerTermCode": ON_DEMAND, "sku": sku,
                                                     "priceDimensions": {rc: self._dim(rc, unit, price, description)},
                                                     "termAttributes": {}}},
                "Reserved": {},
            },
        }


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.data = Data()
        self.faults = []
        self.calls = {}
        self.publication = "2026-11-20T09:00:00Z"
        self.version = "20261120090000"
        self.page_size = 100
        self.prices = []
        self.drops = []
        self.empty = set()

    def count(self, op):
        with self.lock:
            self.calls[op] = self.calls.get(op, 0) + 1

    def fault_for(self, op, page=None):
        with self.lock:
            for f in self.faults:
                if f.get("op") not in (None, op):
                    continue
                if f.get("page") is not None and f["page"] != page:
                    continue
                times = f.get("times")
                if times is not None:
                    if times <= 0:
                        continue
                    f["times"] = times - 1
                return dict(f)
        return None

    def items(self, code):
        """Every served item of a region, dated, decoys first, with the changes asked for."""
        if code in self.empty:
            return []
        decoys, products = self.data.region(code)
        out = []
        with self.lock:
            prices, drops = list(self.prices), list(self.drops)
            publication, version = self.publication, self.version
        for item in decoys + products:
            attrs = item["product"]["attributes"]
            if any(d["region"] == code and d["family"] == item["product"]["productFamily"] for d in drops):
                continue
            item = copy.deepcopy(item)
            for p in prices:
                if (p["region"] == code and attrs.get("instanceType") == p["instanceType"] and attrs.get("cacheEngine") == p["engine"]
                        and attrs.get("locationType") == "AWS Region" and attrs.get("usagetype", "").split("-")[-1].startswith("NodeUsage")
                        and "Support" not in attrs.get("usagetype", "") and "Sync" not in attrs.get("usagetype", "")):
                    for term in item["terms"]["OnDemand"].values():
                        for dim in term["priceDimensions"].values():
                            dim["pricePerUnit"]["USD"] = price10(p["usd"])
            for terms in item["terms"].values():
                for term in terms.values():
                    term["effectiveDate"] = publication
            item["version"] = version
            item["publicationDate"] = publication
            out.append(item)
        return out


STATE = None

ERRORS = {
    "access_denied": (400, "AccessDeniedException",
                      "User: arn:aws:iam::123456789012:user/capplan-test is not authorized to perform: pricing:GetProducts"),
    "throttle": (400, "ThrottlingException", "Rate exceeded"),
    "server_error": (500, "InternalErrorException", "We encountered an internal error"),
}


class Front(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *_):
        pass

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def reply(self, status, body, headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", "capplan-pricelist-0000")
        self.end_headers()
        self.wfile.write(body)

    def reply_json(self, obj, status=200, content_type="application/json"):
        self.reply(status, json.dumps(obj).encode(), [("Content-Type", content_type)])

    def fault(self, op, json_error, page=None):
        f = STATE.fault_for(op, page)
        if f is None:
            return False
        if f.get("kind") == "sleep":
            time.sleep(float(f.get("seconds", 30)))
            return False
        status, code, message = ERRORS[f["kind"]]
        if json_error:
            self.reply(status, json.dumps({"__type": code, "Message": message}).encode(),
                       [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", code)])
        else:
            self.reply(503 if status == 500 else status, b"<Error><Code>" + code.encode() + b"</Code></Error>",
                       [("Content-Type", "application/xml")])
        return True

    def do_GET(self):
        path = urlparse(self.path).path
        if path == "/_harness/calls":
            with STATE.lock:
                return self.reply_json(dict(STATE.calls))
        if path.startswith("/_harness/count/"):
            code = path.rsplit("/", 1)[1]
            return self.reply_json({"products": len(STATE.items(code)), "page_size": STATE.page_size})
        if path == OFFER_PREFIX + "current/region_index.json":
            STATE.count("region_index")
            if self.fault("region_index", False):
                return None
            regions = {c: {"regionCode": c, "currentVersionUrl": f"{OFFER_PREFIX}{STATE.version}/{c}/index.json"}
                       for c in STATE.data.regions() if c not in STATE.empty}
            return self.reply_json({"formatVersion": "v1.0", "disclaimer": "served by capplan's test harness",
                                    "publicationDate": STATE.publication, "regions": regions})
        if path.startswith(OFFER_PREFIX) and path.endswith("/index.json"):
            STATE.count("offer")
            if self.fault("offer", False):
                return None
            parts = path[len(OFFER_PREFIX):].split("/")
            code = parts[1] if len(parts) == 3 else ""
            items = STATE.items(code)
            if not items:
                return self.reply(404, b"<Error><Code>NoSuchKey</Code></Error>", [("Content-Type", "application/xml")])
            offer = {"formatVersion": "v1.0", "disclaimer": "served by capplan's test harness", "offerCode": "AmazonElastiCache",
                     "version": STATE.version, "publicationDate": STATE.publication, "products": {},
                     "terms": {"OnDemand": {}, "Reserved": {}}, "attributesList": {}}
            for item in items:
                sku = item["product"]["sku"]
                offer["products"][sku] = item["product"]
                for kind in ("OnDemand", "Reserved"):
                    if item["terms"][kind]:
                        offer["terms"][kind][sku] = item["terms"][kind]
            return self.reply_json(offer)
        return self.reply(404, b"not found", [("Content-Type", "text/plain")])

    def do_DELETE(self):
        if self.path == "/_harness/faults":
            with STATE.lock:
                STATE.faults.clear()
            return self.reply_json({})
        return self.reply(404, b"not found")

    def do_POST(self):
        body = self.body()
        if self.path == "/_harness/faults":
            with STATE.lock:
                STATE.faults.append(json.loads(body))
            return self.reply_json({})
        if self.path == "/_harness/pricelist":
            change = json.loads(body)
            with STATE.lock:
                STATE.publication = change.get("publication", STATE.publication)
                STATE.version = change.get("version", STATE.version)
                STATE.page_size = int(change.get("page_size", STATE.page_size))
                STATE.prices = change.get("price", STATE.prices)
                STATE.drops = change.get("drop", STATE.drops)
                STATE.empty = set(change.get("empty", STATE.empty))
            return self.reply_json({})
        target = self.headers.get("X-Amz-Target", "")
        if target == "AWSPriceListService.GetProducts":
            return self.get_products(json.loads(body or b"{}"))
        return self.reply_json({"__type": "UnknownOperationException", "Message": target}, 400, "application/x-amz-json-1.1")

    def get_products(self, request):
        STATE.count("GetProducts")
        token = request.get("NextToken")
        start = int(token.split(":")[1]) if token else 0
        size = min(int(request.get("MaxResults") or 100), STATE.page_size)
        page = start // size + 1 if size else 1
        if self.fault("GetProducts", True, page):
            return None
        if request.get("ServiceCode") != "AmazonElastiCache":
            return self.reply_json({"__type": "NotFoundException", "Message": "unknown service"}, 400, "application/x-amz-json-1.1")
        region = next((f["Value"] for f in request.get("Filters", []) if f.get("Field") == "regionCode"), None)
        items = STATE.items(region) if region else []
        chunk = items[start:start + size]
        answer = {"FormatVersion": "aws_v1", "PriceList": [json.dumps(i, separators=(",", ":")) for i in chunk]}
        if start + size < len(items):
            answer["NextToken"] = f"capplan-page:{start + size}:{time.time_ns()}"
        return self.reply_json(answer, 200, "application/x-amz-json-1.1")


def main():
    global STATE
    STATE = State()
    if len(sys.argv) >= 3 and sys.argv[1] == "--dump":
        code = sys.argv[2]
        items = STATE.items(code)
        if len(sys.argv) > 3:
            items = [i for i in items if i["product"]["attributes"].get("instanceType") == sys.argv[3]]
        print(json.dumps({"FormatVersion": "aws_v1", "PriceList": [json.dumps(i, separators=(",", ":")) for i in items]}, indent=1))
        return
    server = ThreadingHTTPServer(("127.0.0.1", 0), Front)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"READY {server.server_address[1]}", flush=True)
    try:
        while sys.stdin.buffer.read(1):
            pass
    finally:
        os._exit(0)


if __name__ == "__main__":
    main()
