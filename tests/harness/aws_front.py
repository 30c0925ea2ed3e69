#!/usr/bin/env python3
"""AWS test harness for capplan: moto on 127.0.0.1 behind a small front that speaks what moto does not.

The integration tests start this script (tests/it/aws_support.rs) and point the real AWS SDK at the
front with AWS_ENDPOINT_URL. It runs, in one process:

  * moto's server (ThreadedMotoServer) on a free loopback port: ElastiCache (Query protocol) and
    CloudWatch (awsJson1_0), with GetMetricData re-implemented over an index (moto's own loops over
    every stored datapoint for every period of every query: minutes per call on 14 days of data;
    same semantics otherwise: buckets start at StartTime, empty periods are left out);
  * the front, on another free loopback port, which
      - translates CloudWatch's Smithy RPC v2 CBOR protocol
        (POST /service/GraniteServiceVersion20100801/operation/<Op>, CBOR body, gzip accepted) into
        moto's awsJson1_0 (X-Amz-Target: GraniteServiceVersion20100801.<Op>) and the answer back
        into CBOR, typed by botocore's service model (timestamps as tag 1, doubles as floats);
      - counts awsJson requests (Cost Explorer GetCostAndUsage, which moto answers from results
        queued at /moto-api/static/ce/cost-and-usage-results) by their X-Amz-Target and can fail them;
      - answers ElastiCache DescribeServerlessCaches itself (moto has no Serverless) from a canned,
        realistic list, with ServerlessCacheName, MaxResults and NextToken honoured;
      - proxies everything else to moto unchanged;
      - injects faults on demand (see /_harness/faults) and counts requests per operation.

Control API (JSON, on the front):
  POST   /_harness/faults      {"op": "GetMetricData", "kind": "access_denied" | "throttle" |
                                "server_error" | "sleep" | "echo_credentials" |
                                "echo_canonical" (SignatureDoesNotMatch quoting the canonical
                                request, the session token as a header line) |
                                "paginate" (GetMetricData: the answer in two pages, NextToken between),
                                "times": 2 (default: every request), "seconds": 5 (sleep),
                                "match": "text the request body must contain" (optional)}
  DELETE /_harness/faults      clear every fault
  GET    /_harness/calls       {"GetMetricData": 3, ...} requests received per operation
  GET    /_harness/times       {"GetMetricData": [12.5, 12.54, ...], ...} when each arrived
                               (monotonic seconds), to check the pace of the calls
  POST   /_harness/serverless  {"caches": [ServerlessCache, ...]} replaces the canned list

It prints "READY <front port>" on stdout once both servers listen, and exits when its standard
input closes (the test that started it has ended, however it ended). Nothing here reaches beyond
127.0.0.1. Needs moto[server] (pinned in scripts/test.sh); standard library otherwise.
"""

import base64
import gzip
import http.client
import json
import logging
import math
import os
import struct
import sys
import threading
import time
import urllib.parse
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CBOR_PREFIX = "/service/GraniteServiceVersion20100801/operation/"
CW_TARGET = "GraniteServiceVersion20100801"
ACCOUNT = "123456789012"
REGION = "us-east-1"


# --- CBOR (RFC 8949): the subset Smithy RPC v2 uses --------------------------------------------


class Timestamp:
    """A CBOR tag 1 value: epoch seconds."""

    def __init__(self, seconds):
        self.seconds = float(seconds)


def _head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    if n < 0x100:
        return bytes([major << 5 | 24, n])
    if n < 0x10000:
        return bytes([major << 5 | 25]) + struct.pack(">H", n)
    if n < 0x100000000:
        return bytes([major << 5 | 26]) + struct.pack(">I", n)
    return bytes([major << 5 | 27]) + struct.pack(">Q", n)


def cbor_encode(v):
    if v is None:
        return b"\xf6"
    if v is True:
        return b"\xf5"
    if v is False:
        return b"\xf4"
    if isinstance(v, Timestamp):
        return b"\xc1" + b"\xfb" + struct.pack(">d", v.seconds)
    if isinstance(v, int):
        return _head(0, v) if v >= 0 else _head(1, -1 - v)
    if isinstance(v, float):
        return b"\xfb" + struct.pack(">d", v)
    if isinstance(v, bytes):
        return _head(2, len(v)) + v
    if isinstance(v, str):
        b = v.encode("utf-8")
        return _head(3, len(b)) + b
    if isinstance(v, (list, tuple)):
        return _head(4, len(v)) + b"".join(cbor_encode(x) for x in v)
    if isinstance(v, dict):
        return _head(5, len(v)) + b"".join(cbor_encode(k) + cbor_encode(x) for k, x in v.items())
    raise TypeError(f"cannot encode {type(v)}")


class _Reader:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def take(self, n):
        if self.pos + n > len(self.data):
            raise ValueError("truncated CBOR")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def arg(self, info):
        if info < 24:
            return info
        if info == 24:
            return self.take(1)[0]
        if info == 25:
            return struct.unpack(">H", self.take(2))[0]
        if info == 26:
            return struct.unpack(">I", self.take(4))[0]
        if info == 27:
            return struct.unpack(">Q", self.take(8))[0]
        if info == 31:
            return None  # indefinite length
        raise ValueError(f"bad CBOR additional info {info}")

    def item(self):
        b = self.take(1)[0]
        major, info = b >> 5, b & 31
        if major == 7:
            if info == 20:
                return False
            if info == 21:
                return True
            if info in (22, 23):
                return None
            if info == 25:
                return _half(struct.unpack(">H", self.take(2))[0])
            if info == 26:
                return struct.unpack(">f", self.take(4))[0]
            if info == 27:
                return struct.unpack(">d", self.take(8))[0]
            if info == 31:
                return _BREAK
            raise ValueError(f"unsupported CBOR simple value {info}")
        n = self.arg(info)
        if major == 0:
            return n
        if major == 1:
            return -1 - n
        if major in (2, 3):
            if n is None:
                parts = []
                while (x := self.item()) is not _BREAK:
                    parts.append(x)
                return (b"" if major == 2 else "").join(parts)
            raw = self.take(n)
            return raw if major == 2 else raw.decode("utf-8")
        if major == 4:
            out = []
            if n is None:
                while (x := self.item()) is not _BREAK:
                    out.append(x)
            else:
                out = [self.item() for _ in range(n)]
            return out
        if major == 5:
            out = {}
            if n is None:
                while (k := self.item()) is not _BREAK:
                    out[k] = self.item()
            else:
                for _ in range(n):
                    k = self.item()
                    out[k] = self.item()
            return out
        if major == 6:
            value = self.item()
            return Timestamp(value) if n == 1 else value
        raise ValueError(f"bad CBOR major type {major}")


_BREAK = object()


def _half(h):
    exp, frac = (h >> 10) & 0x1F, h & 0x3FF
    val = frac * 2**-24 if exp == 0 else (math.inf if exp == 31 else (frac + 1024) * 2 ** (exp - 25))
    return -val if h & 0x8000 else val


def cbor_decode(data):
    if not data:
        return {}
    r = _Reader(data)
    v = r.item()
    if r.pos != len(data):
        raise ValueError("trailing bytes after CBOR item")
    return v


# --- botocore models: typed conversion ----------------------------------------------------------


def _models():
    from botocore.loaders import Loader
    from botocore.model import ServiceModel

    loader = Loader()
    return (
        ServiceModel(loader.load_service_model("cloudwatch", "service-2")),
        ServiceModel(loader.load_service_model("elasticache", "service-2")),
    )


CLOUDWATCH, ELASTICACHE = _models()


def to_json(v):
    """Decoded CBOR -> JSON-able (awsJson1_0: timestamps as epoch seconds, blobs as base64)."""
    if isinstance(v, Timestamp):
        return v.seconds
    if isinstance(v, bytes):
        return base64.b64encode(v).decode()
    if isinstance(v, list):
        return [to_json(x) for x in v]
    if isinstance(v, dict):
        return {k: to_json(x) for k, x in v.items()}
    return v


def _epoch(v):
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, datetime):
        return v.timestamp()
    return datetime.fromisoformat(str(v).replace("Z", "+00:00")).timestamp()


def typed(shape, v):
    """JSON value -> CBOR-ready value, by the model shape."""
    if v is None or shape is None:
        return v
    t = shape.type_name
    if t == "structure":
        return {name: typed(shape.members.get(name), x) for name, x in v.items() if name in shape.members}
    if t == "list":
        return [typed(shape.member, x) for x in v]
    if t == "map":
        return {k: typed(shape.value, x) for k, x in v.items()}
    if t == "timestamp":
        return Timestamp(_epoch(v))
    if t in ("double", "float"):
        return float(v)
    if t in ("integer", "long"):
        return int(v)
    if t == "blob":
        return base64.b64decode(v) if isinstance(v, str) else v
    return v


def xml_of(shape, v, name):
    """A Query-protocol XML element for `v` by the model shape."""
    if v is None:
        return ""
    t = shape.type_name
    if t == "structure":
        inner = "".join(xml_of(shape.members[k], x, k) for k, x in v.items() if k in shape.members)
    elif t == "list":
        inner = "".join(xml_of(shape.member, x, "member") for x in v)
    elif t == "timestamp":
        inner = datetime.fromtimestamp(_epoch(v), timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    elif t == "boolean":
        inner = "true" if v else "false"
    else:
        inner = str(v).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"<{name}>{inner}</{name}>"


# --- moto: a GetMetricData that indexes instead of scanning ---------------------------------------


def patch_moto():
    from moto.cloudwatch import models as cw

    original = cw.CloudWatchBackend.get_metric_data

    def get_metric_data(self, queries, start_time, end_time, scan_by="TimestampAscending"):
        if any("MetricStat" not in q for q in queries):
            return original(self, queries, start_time, end_time, scan_by)
        start_time = start_time.replace(microsecond=0)
        end_time = end_time.replace(microsecond=0)
        if start_time >= end_time:
            raise cw.ValidationError("The parameter EndTime must be greater than StartTime.")
        by_dims, by_name = {}, {}
        for md in self.get_all_metrics():
            if start_time <= md.timestamp < end_time:
                dims = tuple(sorted((d.name, d.value) for d in md.dimensions))
                by_dims.setdefault((md.name, dims), []).append(md)
                by_name.setdefault((md.namespace, md.name), []).append(md)
        results = []
        for query in queries:
            stat_q = query["MetricStat"]
            metric = stat_q["Metric"]
            period = int(stat_q["Period"])
            stat = stat_q["Stat"]
            dims = tuple(sorted((d["Name"], d["Value"]) for d in metric.get("Dimensions", [])))
            data = by_dims.get((metric["MetricName"], dims), []) if dims else by_name.get(
                (metric["Namespace"], metric["MetricName"]), []
            )
            if stat_q.get("Unit"):
                data = [md for md in data if md.unit == stat_q["Unit"]]
            buckets = {}
            for md in data:
                buckets.setdefault(int((md.timestamp - start_time).total_seconds()) // period, []).append(md)
            timestamps, values = [], []
            for i in sorted(buckets):
                at = start_time + timedelta(seconds=i * period)
                stats = cw.Statistics([stat], at)
                stats.metric_data = buckets[i]
                timestamps.append(stats.timestamp)
                values.append(stats.get_statistics_for_type(stat))
            if scan_by == "TimestampDescending":
                timestamps.reverse()
                values.reverse()
            if query.get("ReturnData", True):
                label = query.get("Label") or f"{metric['MetricName']} {stat}"
                results.append(
                    {"id": query["Id"], "label": label, "values": values, "timestamps": timestamps, "status_code": "Complete"}
                )
        return results

    cw.CloudWatchBackend.get_metric_data = get_metric_data


# --- the front ------------------------------------------------------------------------------------

NOW = datetime.now(timezone.utc).replace(microsecond=0)

SERVERLESS = [
    {
        "ServerlessCacheName": "sessions-sls",
        "Description": "session store (Valkey Serverless)",
        "CreateTime": (NOW - timedelta(days=40)).timestamp(),
        "Status": "available",
        "Engine": "valkey",
        "MajorEngineVersion": "8",
        "FullEngineVersion": "8.0",
        "CacheUsageLimits": {
            "DataStorage": {"Maximum": 100, "Minimum": 1, "Unit": "GB"},
            "ECPUPerSecond": {"Maximum": 50000, "Minimum": 1000},
        },
        "SecurityGroupIds": ["sg-0a1b2c3d4e5f60718"],
        "Endpoint": {"Address": "sessions-sls-abc123.serverless.use1.cache.amazonaws.com", "Port": 6379},
        "ReaderEndpoint": {"Address": "sessions-sls-abc123.serverless.use1.cache.amazonaws.com", "Port": 6380},
        "ARN": f"arn:aws:elasticache:{REGION}:{ACCOUNT}:serverlesscache:sessions-sls",
        "SubnetIds": ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"],
        "SnapshotRetentionLimit": 7,
        "DailySnapshotTime": "03:00",
    },
    {
        "ServerlessCacheName": "legacy-sls",
        "Description": "no usage limits (Redis OSS Serverless)",
        "CreateTime": (NOW - timedelta(days=400)).timestamp(),
        "Status": "available",
        "Engine": "redis",
        "MajorEngineVersion": "7",
        "FullEngineVersion": "7.1",
        "Endpoint": {"Address": "legacy-sls-def456.serverless.use1.cache.amazonaws.com", "Port": 6379},
        "ReaderEndpoint": {"Address": "legacy-sls-def456.serverless.use1.cache.amazonaws.com", "Port": 6380},
        "ARN": f"arn:aws:elasticache:{REGION}:{ACCOUNT}:serverlesscache:legacy-sls",
        "SubnetIds": ["subnet-0aa11bb22cc33dd44"],
        "SnapshotRetentionLimit": 0,
    },
]


class State:
    def __init__(self, moto_port):
        self.moto_port = moto_port
        self.lock = threading.Lock()
        self.faults = []
        self.calls = {}
        self.times = {}
        self.serverless = list(SERVERLESS)
        self.pages = {}

    def count(self, op):
        with self.lock:
            self.calls[op] = self.calls.get(op, 0) + 1
            self.times.setdefault(op, []).append(time.monotonic())

    def fault_for(self, op, body_text):
        with self.lock:
            for f in self.faults:
                if f.get("op") not in (None, op):
                    continue
                if f.get("match") and f["match"] not in body_text:
                    continue
                times = f.get("times")
                if times is not None:
                    if times <= 0:
                        continue
                    f["times"] = times - 1
                return dict(f)
        return None


ERRORS = {
    # kind: (status, CloudWatch code, ElastiCache code, message)
    "access_denied": (
        403,
        "AccessDenied",
        "AccessDenied",
        "User: arn:aws:iam::123456789012:user/capplan-test is not authorized to perform: {action}",
    ),
    "throttle": (400, "Throttling", "Throttling", "Rate exceeded"),
    "server_error": (500, "InternalServiceError", "InternalFailure", "We encountered an internal error"),
}

ACTION_PREFIX = {"cbor": "cloudwatch", "query": "elasticache", "json": "ce"}


class Front(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state = None  # set in main

    def log_message(self, *_):  # keep the test output clean
        pass

    # -- plumbing --

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        if self.headers.get("Content-Encoding", "").lower() == "gzip":
            raw = gzip.decompress(raw)
        return raw

    def reply(self, status, body, headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", "capplan-harness-0000")
        self.end_headers()
        self.wfile.write(body)

    def reply_json(self, obj, status=200):
        self.reply(status, json.dumps(obj).encode(), [("Content-Type", "application/json")])

    def to_moto(self, method, path, body, headers):
        conn = http.client.HTTPConnection("127.0.0.1", self.state.moto_port, timeout=600)
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            return resp.status, resp.read(), resp.getheaders()
        finally:
            conn.close()

    # -- faults --

    def fault(self, protocol, op, body_text):
        f = self.state.fault_for(op, body_text)
        if f is None:
            return False
        kind = f.get("kind")
        if kind == "sleep":
            time.sleep(float(f.get("seconds", 30)))
            return False  # then answer normally (a client with a shorter timeout has gone)
        if kind == "paginate":
            self.paginate = True
            return False
        if kind == "echo_credentials":
            # a hostile or broken server echoing what it received: the client must not repeat it
            leaked = f"{self.headers.get('Authorization', '')} {self.headers.get('X-Amz-Security-Token', '')}"
            status, cw_code, ec_code, message = 403, "InvalidClientTokenId", "InvalidClientTokenId", (
                "The security token included in the request is invalid: " + leaked
            )
        elif kind == "echo_canonical":
            # what AWS answers a bad signature: the canonical request it expected, whose header
            # lines carry the session token as `x-amz-security-token:<token>`
            headers = "".join(
                f"{k.lower()}:{v.strip()}\n"
                for k, v in sorted(self.headers.items(), key=lambda kv: kv[0].lower())
                if k.lower() in ("host", "x-amz-date", "x-amz-security-token")
            )
            status, cw_code, ec_code, message = 403, "SignatureDoesNotMatch", "SignatureDoesNotMatch", (
                "The request signature we calculated does not match the signature you provided. "
                f"The Canonical String for this request should have been\n'POST\n{self.path}\n\n{headers}\n"
                "host;x-amz-date;x-amz-security-token\n'"
            )
        else:
            status, cw_code, ec_code, message = ERRORS[kind]
            message = message.format(action=f"{ACTION_PREFIX[protocol]}:{op}")
        if protocol == "cbor":
            self.reply(
                status,
                cbor_encode({"__type": f"com.amazonaws.cloudwatch#{cw_code}", "message": message}),
                [
                    ("Content-Type", "application/cbor"),
                    ("smithy-protocol", "rpc-v2-cbor"),
                    ("x-amzn-query-error", f"{cw_code};{'Receiver' if status >= 500 else 'Sender'}"),
                ],
            )
        elif protocol == "json":
            code = {"Throttling": "LimitExceededException", "InternalFailure": "InternalFailure"}.get(ec_code, ec_code + ("Exception" if ec_code == "AccessDenied" else ""))
            self.reply(
                status,
                json.dumps({"__type": code, "Message": message}).encode(),
                [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-errortype", code)],
            )
        else:
            self.query_error(status, ec_code, message)
        return True

    def query_error(self, status, code, message):
        kind = "Receiver" if status >= 500 else "Sender"
        xml = (
            '<ErrorResponse xmlns="http://elasticache.amazonaws.com/doc/2015-02-02/">'
            f"<Error><Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message></Error>"
            "<RequestId>capplan-harness-0000</RequestId></ErrorResponse>"
        )
        self.reply(status, xml.encode(), [("Content-Type", "text/xml")])

    # -- handlers --

    def do_GET(self):
        if self.path == "/_harness/calls":
            with self.state.lock:
                return self.reply_json(dict(self.state.calls))
        if self.path == "/_harness/times":
            with self.state.lock:
                return self.reply_json({op: list(t) for op, t in self.state.times.items()})
        return self.proxy("GET", b"")

    def do_DELETE(self):
        if self.path == "/_harness/faults":
            with self.state.lock:
                self.state.faults.clear()
            return self.reply_json({})
        return self.proxy("DELETE", self.body())

    def do_POST(self):
        body = self.body()
        if self.path == "/_harness/faults":
            with self.state.lock:
                self.state.faults.append(json.loads(body))
            return self.reply_json({})
        if self.path == "/_harness/serverless":
            with self.state.lock:
                self.state.serverless = json.loads(body)["caches"]
            return self.reply_json({})
        if self.path.startswith(CBOR_PREFIX):
            return self.cbor(self.path[len(CBOR_PREFIX) :], body)
        target = self.headers.get("X-Amz-Target")
        if target:
            # awsJson services (Cost Explorer): moto answers them as they are
            op = target.split(".")[-1]
            self.state.count(op)
            if self.fault("json", op, body.decode("utf-8", "replace")):
                return None
            return self.proxy("POST", body)
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        op = form.get("Action", ["?"])[0]
        self.state.count(op)
        if self.fault("query", op, body.decode("utf-8", "replace")):
            return None
        if op == "DescribeServerlessCaches":
            return self.serverless(form)
        return self.proxy("POST", body)

    def proxy(self, method, body):
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("content-length", "content-encoding")}
        status, out, resp_headers = self.to_moto(method, self.path, body, headers)
        keep = [(k, v) for k, v in resp_headers if k.lower() not in ("content-length", "transfer-encoding", "connection", "date", "server")]
        self.reply(status, out, keep)

    def cbor(self, op, body):
        self.state.count(op)
        try:
            request = to_json(cbor_decode(body))
        except ValueError as e:
            return self.reply(400, cbor_encode({"__type": "SerializationException", "message": str(e)}), [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")])
        self.paginate = False
        token = request.get("NextToken")
        with self.state.lock:
            page = self.state.pages.pop(token, None) if token else None
        if page is not None:
            shape = CLOUDWATCH.operation_model(op).output_shape
            return self.reply(200, cbor_encode(typed(shape, page)), [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")])
        if self.fault("cbor", op, json.dumps(request)):
            return None
        headers = {
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": f"{CW_TARGET}.{op}",
            "Authorization": self.headers.get("Authorization", ""),
            "X-Amz-Date": self.headers.get("X-Amz-Date", ""),
            "Host": f"monitoring.{REGION}.amazonaws.com",
        }
        status, out, resp_headers = self.to_moto("POST", "/", json.dumps(request).encode(), headers)
        parsed = json.loads(out) if out.strip() else {}
        cbor_headers = [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")]
        if status >= 300:
            code = str(parsed.get("__type", "InternalFailure")).split("#")[-1]
            query_error = dict((k.lower(), v) for k, v in resp_headers).get("x-amzn-query-error")
            cbor_headers.append(("x-amzn-query-error", query_error or f"{code};Sender"))
            message = parsed.get("message") or parsed.get("Message") or ""
            return self.reply(status, cbor_encode({"__type": code, "message": message}), cbor_headers)
        if self.paginate and op == "GetMetricData":
            parsed = self.split_pages(parsed)
        shape = CLOUDWATCH.operation_model(op).output_shape
        return self.reply(200, cbor_encode(typed(shape, parsed) if shape is not None else {}), cbor_headers)

    def split_pages(self, parsed):
        """First half of every result now, the rest behind a NextToken (as AWS pages)."""
        first, rest = [], []
        for r in parsed.get("MetricDataResults", []):
            half = len(r.get("Values", [])) // 2
            first.append(dict(r, Timestamps=r["Timestamps"][:half], Values=r["Values"][:half], StatusCode="PartialData"))
            rest.append(dict(r, Timestamps=r["Timestamps"][half:], Values=r["Values"][half:]))
        token = f"page-{id(parsed)}-{time.time_ns()}"
        with self.state.lock:
            self.state.pages[token] = dict(parsed, MetricDataResults=rest)
        return dict(parsed, MetricDataResults=first, NextToken=token)

    def serverless(self, form):
        name = form.get("ServerlessCacheName", [None])[0]
        with self.state.lock:
            caches = list(self.state.serverless)
        if name is not None:
            caches = [c for c in caches if c["ServerlessCacheName"] == name]
            if not caches:
                return self.query_error(404, "ServerlessCacheNotFoundFault", f"Serverless cache {name} not found.")
        start = int(form.get("NextToken", ["0"])[0])
        size = int(form.get("MaxResults", ["50"])[0])
        page = caches[start : start + size]
        result = {"ServerlessCaches": page}
        if start + size < len(caches):
            result["NextToken"] = str(start + size)
        shape = ELASTICACHE.operation_model("DescribeServerlessCaches").output_shape
        xml = (
            '<DescribeServerlessCachesResponse xmlns="http://elasticache.amazonaws.com/doc/2015-02-02/">'
            + xml_of(shape, result, "DescribeServerlessCachesResult")
            + "<ResponseMetadata><RequestId>capplan-harness-0000</RequestId></ResponseMetadata>"
            + "</DescribeServerlessCachesResponse>"
        )
        return self.reply(200, xml.encode(), [("Content-Type", "text/xml")])


def main():
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    patch_moto()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    _, moto_port = moto.get_host_and_port()
    Front.state = State(moto_port)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Front)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()

    print(f"READY {server.server_address[1]}", flush=True)
    # Exit when the test that started us goes away: its end of our stdin closes.
    try:
        while sys.stdin.buffer.read(1):
            pass
    finally:
        os._exit(0)


if __name__ == "__main__":
    main()
