#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target, from the repository's own
files, at fuzz time (no binary corpus is committed):

- spec/vectors/*.json: frames, LZ4 blocks, CONTROL bodies;
- test fixtures: HTTP heads and CONTROL bodies written as string literals in
  the Wire tests, config texts in the HomeAgent tests, damaged join tokens;
- ClientHellos of this machine's OpenSSL (Python's ssl over memory BIOs, with
  and without SNI and ALPN, TLS 1.2 and 1.3): real clients, no network;
- PROXY v2 headers and join tokens built from their layouts (the same bytes
  the hand-derived test vectors hold).

Each target's input starts with a control byte (see the target's doc
comment); seeds set it to the plainest choice.

usage: seeds.py REPOSITORY_ROOT OUTPUT_DIRECTORY
"""

import base64
import hashlib
import json
import os
import re
import ssl
import struct
import sys
import textwrap

ROOT, OUT = sys.argv[1], sys.argv[2]


def write(target, name, data):
    directory = os.path.join(OUT, target)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return f.read()


def unhex(text):
    return bytes.fromhex("".join(text.split()))


def swift_literals(path):
    """The contents of the one-line string literals in a Swift file, plain
    ("...") and raw (#"..."#), with the escapes the tests use decoded."""
    source = read(path)
    found = [m.group(1) for m in re.finditer(r'#"(.*?)"#', source)]
    for m in re.finditer(r'(?<![#"])"((?:[^"\\\n]|\\.)*)"(?!#)', source):
        text = m.group(1)
        text = re.sub(r"\\u\{([0-9a-fA-F]+)\}", lambda u: chr(int(u.group(1), 16)), text)
        text = text.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t")
        text = text.replace('\\"', '"').replace("\\\\", "\\")
        found.append(text)
    return found


def swift_multiline_literals(path):
    """The contents of the multi-line string literals (\"\"\" ... \"\"\"), with
    the closing delimiter's indentation removed as Swift does."""
    source = read(path)
    blocks = []
    for m in re.finditer(r'"""\n(.*?)\n([ ]*)"""', source, re.S):
        indent = len(m.group(2))
        lines = [line[indent:] for line in m.group(1).split("\n")]
        blocks.append("\n".join(lines) + "\n")
    return blocks


# Frame decoder and LZ4: the spec vectors.
vectors = {}
for name in sorted(os.listdir(os.path.join(ROOT, "spec/vectors"))):
    if name.endswith(".json"):
        vectors[name] = json.loads(read(os.path.join("spec/vectors", name)))

stream = b""
for file, document in vectors.items():
    for vector in document.get("vectors", []):
        data = unhex(vector["hex"])
        write("FuzzFrameDecoder", vector["name"], b"\x00" + data)
        if vector.get("outcome") == "complete":
            stream += data
        for frame in vector.get("frames", []):
            if frame.get("type") == "CONTROL":
                for kind in range(6):
                    write("FuzzControl", f"{vector['name']}-{kind}", bytes([kind]) + unhex(frame["body_hex"]))
            if frame.get("compressed"):
                length = frame["decoded_length"]
                write("FuzzLZ4", vector["name"], b"\x00" + struct.pack(">H", (length - 1) & 0xFFFF) + unhex(frame["block_hex"]))
    for block in document.get("blocks", []):
        length = block["decoded_length"]
        write("FuzzLZ4", block["name"], b"\x00" + struct.pack(">H", (length - 1) & 0xFFFF) + unhex(block["block_hex"]))
        if "decoded_hex" in block:
            write("FuzzLZ4", block["name"] + "-plain", b"\x01" + unhex(block["decoded_hex"]))
write("FuzzFrameDecoder", "all-complete-vectors", b"\x07" + stream)
write("FuzzLZ4", "plain-text", b"\x01" + read("spec/PROTOCOL.md").encode()[:4096])

# CONTROL bodies: one per kind from [CTRL-2], and the JSON the tests use.
bodies = [
    {"token_id": "00112233445566778899aabbccddeeff", "secret": "c2VjcmV0", "csr": "-----BEGIN CERTIFICATE REQUEST-----\n"},
    {"home": "alice", "certificate": "-----BEGIN CERTIFICATE-----\n"},
    {"forwards": [{"name": "web", "type": "https", "hostname": "blog.example.com", "proxy_protocol": "v2",
                   "compress": True, "target": "127.0.0.1:8443"}, {"name": "ssh", "type": "tcp"}]},
    {"forwards": [{"name": "web", "public_address": "edge.example.com:443"},
                  {"name": "ssh", "error": {"code": "port_range_exhausted", "message": "no port"}}]},
    {"request_id": 7, "action": "add", "domain": "example.com"},
    {"request_id": 7, "domains": ["example.com"], "error": {"code": "overlap", "message": "taken"}},
]
for kind, body in enumerate(bodies):
    write("FuzzControl", f"spec-{kind}", bytes([kind]) + json.dumps(body).encode())
literals = [t for t in swift_literals("Tests/WireTests/ControlMessageTests.swift") if t.startswith("{")]
for index, text in enumerate(literals):
    for kind in range(6):
        write("FuzzControl", f"test-{index}-{kind}", bytes([kind]) + text.encode())

# HTTP heads: the parser tests' request texts.
heads = [t for t in swift_literals("Tests/WireTests/HTTPHeadParserTests.swift") if "HTTP/" in t or "\r\n" in t]
for index, text in enumerate(heads):
    write("FuzzHTTPHead", f"test-{index}", b"\x00" + text.encode())

# Later requests on a kept-alive connection: the sequence tests' texts and a
# few sequences of requests for the allowed host and another.
later = [t for t in swift_literals("Tests/EdgeAgentTests/HTTPRequestSequenceTests.swift") if "\r\n" in t]
later += [
    "GET /2 HTTP/1.1\r\nHost: a.example\r\n\r\nGET /3 HTTP/1.1\r\nHost: b.example\r\n\r\n",
    "POST /u HTTP/1.1\r\nHost: a.example\r\nContent-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\nHost: a.example\r\n\r\n",
    "POST /c HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding: chunked\r\n\r\n3;x=1\r\nabc\r\n0\r\nX-T: 1\r\n\r\n",
    "GET /ws HTTP/1.1\r\nHost: a.example\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n\x81\x05hello",
    "GET /ws HTTP/1.1\r\nHost: a.example\r\nUpgrade: websocket\r\n\r\nGET / HTTP/1.1\r\nHost: b.example\r\n\r\n",
]
for index, text in enumerate(later):
    write("FuzzHTTPRequestSequence", f"seq-{index}", bytes([index * 37 % 256]) + text.encode("utf-8", "surrogateescape"))

# ClientHellos from this machine's OpenSSL, as a real client sends them.
def client_hello(server_name, alpn, maximum):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.maximum_version = maximum
    if alpn:
        context.set_alpn_protocols(alpn)
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    connection = context.wrap_bio(incoming, outgoing, server_hostname=server_name)
    try:
        connection.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()

for index, (name, alpn, maximum) in enumerate([
    ("blog.example.com", ["h2", "http/1.1"], ssl.TLSVersion.TLSv1_3),
    ("a.example", None, ssl.TLSVersion.TLSv1_2),
    (None, ["portico/1"], ssl.TLSVersion.TLSv1_3),
    ("xn--bcher-kva.example", ["http/1.1"], ssl.TLSVersion.TLSv1_2),
]):
    write("FuzzClientHello", f"openssl-{index}", b"\x00" + client_hello(name, alpn, maximum))

# PROXY v2 headers (proxy-protocol.txt §2.2), as in ProxyProtocolV2HeaderTests.
signature = b"\r\n\r\n\x00\r\nQUIT\n"
ipv4 = struct.pack(">4s4sHH", bytes([192, 0, 2, 10]), bytes([198, 51, 100, 20]), 51234, 443)
ipv6 = struct.pack(">16s16sHH", bytes.fromhex("20010db8000000000000000000000001"),
                   bytes.fromhex("00000000000000000000ffffc6336414"), 1234, 8443)
tlvs = b"\x02" + struct.pack(">H", 9) + b"a.example" + b"\x01" + struct.pack(">H", 2) + b"h2"
for name, command, family, block in [
    ("local", 0x20, 0x00, b""),
    ("tcp4", 0x21, 0x11, ipv4),
    ("tcp6", 0x21, 0x21, ipv6),
    ("tcp4-tlvs", 0x21, 0x11, ipv4 + tlvs),
    ("unspec-tlvs", 0x21, 0x00, tlvs),
]:
    write("FuzzProxyV2", name, signature + struct.pack(">BBH", command, family, len(block)) + block)

# Join tokens, laid out as JoinToken.swift documents (format version 1).
def token_payload(host, port):
    encoded = host.encode()
    return bytes([1]) + bytes(range(16)) + bytes(range(32, 64)) + bytes(range(64, 96)) + bytes([len(encoded)]) + encoded + struct.pack(">H", port)

for name, host, port in [("dns", "edge.example.com", 8444), ("ipv4", "203.0.113.7", 443), ("ipv6", "2001:db8::1", 8444)]:
    payload = token_payload(host, port)
    text = "portico1-" + base64.urlsafe_b64encode(payload + hashlib.sha256(payload).digest()[:4]).decode().rstrip("=")
    write("FuzzJoinToken", f"text-{name}", b"\x00" + text.encode())
    write("FuzzJoinToken", f"payload-{name}", b"\x01" + payload)
for index, text in enumerate(t for t in swift_literals("Tests/WireTests/JoinTokenDamageTests.swift") if t.startswith("portico1-")):
    write("FuzzJoinToken", f"test-{index}", b"\x00" + text.encode())

# Home configs: the YAML texts of the HomeAgent tests, alone and after the
# fixture's header (most tests append their lines to it).
header = None
configs = []
for file in sorted(os.listdir(os.path.join(ROOT, "Tests/HomeAgentTests"))):
    if file.endswith(".swift"):
        for block in swift_multiline_literals(os.path.join("Tests/HomeAgentTests", file)):
            if block.startswith("edge:") and header is None:
                header = block
            configs.append(block)
for index, block in enumerate(configs):
    write("FuzzHomeConfig", f"test-{index}", block.encode())
    if header and block.startswith("forwards:"):
        write("FuzzHomeConfig", f"test-{index}-with-header", (header + block).encode())
    elif header and not block.startswith("edge:"):
        # ConfigFixture.withForward: the lines are one forward of the list.
        lines = block.rstrip("\n").split("\n")
        forward = "\n".join(["  - " + lines[0]] + ["    " + line for line in lines[1:]])
        write("FuzzHomeConfig", f"test-{index}-as-forward", (header + "forwards:\n" + forward + "\n").encode())

# DNS messages, built by hand as RFC 1035 lays them out: a TXT query, an
# answer with a CNAME and two TXT strings whose names are compressed, an
# NXDOMAIN, a truncated answer (TC set) and an A record kept as raw data.
def dns_name(text):
    return b"".join(bytes([len(label)]) + label.encode() for label in text.split(".")) + b"\x00"


def dns_header(ident, flags, qd, an, ns=0, ar=0):
    return struct.pack(">HHHHHH", ident, flags, qd, an, ns, ar)


question = dns_name("_portico.example.com") + struct.pack(">HH", 16, 1)
txt_rdata = b"\x0fportico-verify=" + b"\x03abc"
cname_rdata = dns_name("proof.example.net")
write("FuzzDNSMessage", "query", dns_header(0x1234, 0x0100, 1, 0) + question)
write("FuzzDNSMessage", "answer-cname-txt",
      dns_header(0x1234, 0x8180, 1, 2) + question
      + b"\xc0\x0c" + struct.pack(">HHIH", 5, 1, 300, len(cname_rdata)) + cname_rdata
      + b"\xc0\x32" + struct.pack(">HHIH", 16, 1, 60, len(txt_rdata)) + txt_rdata)
write("FuzzDNSMessage", "nxdomain", dns_header(0x1234, 0x8183, 1, 0) + question)
write("FuzzDNSMessage", "truncated", dns_header(0x1234, 0x8380, 1, 0) + question)
write("FuzzDNSMessage", "a-record",
      dns_header(7, 0x8180, 1, 1) + dns_name("example.com") + struct.pack(">HH", 1, 1)
      + b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + bytes([192, 0, 2, 1]))

for target in sorted(os.listdir(OUT)):
    print(f"seeds: {target}: {len(os.listdir(os.path.join(OUT, target)))} inputs")
