#!/usr/bin/env python3
"""Independent verifier of relspec signatures (bundle format v1, section 6).

Reads a NORMALIZED bundle (what `relspec normalize` prints: every key written, defaults
explicit, absent optional values as null) and prints, per rule in rule order,

    <rule name> <rule signature> plan=<plan signature>

then `bundle <bundle signature>`. It shares no code with the Java implementation: RFC 8785
(JSON Canonicalization Scheme) is implemented here from the RFC, with its own ECMAScript
number formatting, UTF-16 key order and string escaping. Python 3 standard library only.

    python3 scripts/verify_signatures.py normalized.json
    python3 scripts/verify_signatures.py --canonical any.json   # print the RFC 8785 text
"""

import hashlib
import json
import sys

PLAN_KIND = "relspec.plan/1"
CONTRACT_KIND = "relspec.contract/1"
RULE_KIND = "relspec.rule/1"
BUNDLE_KIND = "relspec.bundle/1"


class VerifyError(Exception):
    """A problem with the input; the message says what and where."""


# ---------------------------------------------------------------- RFC 8785


def es6_number(value):
    """ECMAScript Number.prototype.toString of a finite number (RFC 8785, section 3.2.2.3)."""
    if isinstance(value, int):
        try:
            value = float(value)  # JSON numbers are IEEE 754 doubles; int -> float rounds to nearest
        except OverflowError:
            raise VerifyError("Cannot canonicalize %d: it is beyond the double range" % value)
    if value != value or value in (float("inf"), float("-inf")):
        raise VerifyError("Cannot canonicalize %r: JSON has no such number" % value)
    if value == 0:
        return "0"  # also for -0
    sign = "-" if value < 0 else ""
    # repr() gives the shortest digits that read back as the same double, the nearest one when
    # several do (David Gay's algorithm, as ECMAScript requires); only its layout is ES6's own.
    mantissa, _, exponent = repr(abs(value)).partition("e")
    integer_part, _, fraction_part = mantissa.partition(".")
    digits = str(int(integer_part + fraction_part))
    scale = (int(exponent) if exponent else 0) - len(fraction_part)
    stripped = digits.rstrip("0")
    scale += len(digits) - len(stripped)
    digits = stripped
    # value = digits * 10^scale; in ECMAScript's terms k = len(digits), n = k + scale
    k = len(digits)
    n = k + scale
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * (-n) + digits
    e = n - 1
    text = digits[0] + ("." + digits[1:] if k > 1 else "")
    return sign + text + "e" + ("+" if e >= 0 else "-") + str(abs(e))


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def es6_string(text):
    """A JSON string: only '"', '\\' and U+0000..U+001F escaped, the latter as lowercase \\u00xx."""
    out = ['"']
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20:
            out.append("\\u%04x" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def utf16_key(text):
    """Sort key of RFC 8785, section 3.2.3: the UTF-16 code units (big-endian bytes sort alike)."""
    return text.encode("utf-16-be", "surrogatepass")


def canonical(value):
    """The RFC 8785 text of a parsed JSON value."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return es6_number(value)
    if isinstance(value, str):
        return es6_string(value)
    if isinstance(value, list):
        return "[" + ",".join(canonical(item) for item in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=utf16_key)
        return "{" + ",".join(es6_string(k) + ":" + canonical(value[k]) for k in keys) + "}"
    raise VerifyError("Cannot canonicalize a %s" % type(value).__name__)


def utf8(text):
    """The UTF-8 bytes of the text; a lone surrogate (not Unicode text) is an error."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise VerifyError(
            "Cannot encode a string with a lone surrogate %s: RFC 8785 needs Unicode text (I-JSON)"
            % ascii(text[e.start : e.end])
        )


def sha256(value):
    """Lowercase hex SHA-256 of the UTF-8 bytes of the canonical text."""
    return hashlib.sha256(utf8(canonical(value))).hexdigest()


# ---------------------------------------------------------------- JSON input


def _no_duplicates(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise VerifyError("Cannot read the document: the key %r appears twice in one object" % key)
        result[key] = value
    return result


def _no_constants(name):
    raise VerifyError("Cannot read the document: %s is not JSON" % name)


def parse(text):
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except json.JSONDecodeError as e:
        raise VerifyError(
            "Cannot read the document: it is not valid JSON at line %d, column %d: %s"
            % (e.lineno, e.colno, e.msg)
        )


def _require(node, keys, path):
    if not isinstance(node, dict):
        raise VerifyError("Cannot verify %s: expected an object" % (path or "the document"))
    for key in keys:
        if key not in node:
            raise VerifyError(
                "Cannot verify %s: it has no %r, so it is not a normalized bundle."
                " Run `relspec normalize` first" % (path or "the document", key)
            )


# ---------------------------------------------------------------- signatures


def bundle_signatures(bundle):
    """[(rule name, rule signature, plan signature), ...] in rule order, and the bundle signature."""
    _require(bundle, ("relspec", "name", "datasets", "contracts", "rules"), "")
    if bundle["relspec"] != 1:
        raise VerifyError("Cannot verify format version %r: this script knows version 1" % bundle["relspec"])

    contracts = {}
    for i, contract in enumerate(bundle["contracts"]):
        _require(contract, ("name", "version", "columns", "keyFields", "requiredNonNull", "dedupe",
                            "canonicalSort", "onViolation"), "contracts[%d]" % i)
        contracts[contract["name"]] = sha256({"kind": CONTRACT_KIND, "contract": contract})

    dataset_pairs = []
    for i, dataset in enumerate(bundle["datasets"]):
        _require(dataset, ("name", "format", "location", "schema", "ordering", "scan"), "datasets[%d]" % i)
        dataset_pairs.append([dataset["name"], sha256(dataset)])

    rules = []
    for i, rule in enumerate(bundle["rules"]):
        path = "rules[%d]" % i
        _require(rule, ("name", "output", "contract", "priority", "ops", "params", "description", "tags"), path)
        if rule["contract"] not in contracts:
            raise VerifyError("Cannot verify %s: its contract %r is not in the bundle" % (path, rule["contract"]))
        plan = sha256({"kind": PLAN_KIND, "ops": rule["ops"]})
        signature = sha256({
            "kind": RULE_KIND,
            "name": rule["name"],
            "output": rule["output"],
            "priority": rule["priority"],
            "params": rule["params"],
            "plan": plan,
            "contract": contracts[rule["contract"]],
        })
        rules.append((rule["name"], signature, plan))

    def by_name(pairs):
        return sorted(pairs, key=lambda pair: utf16_key(pair[0]))

    bundle_signature = sha256({
        "kind": BUNDLE_KIND,
        "datasets": by_name(dataset_pairs),
        "rules": by_name([[name, signature] for name, signature, _ in rules]),
    })
    return rules, bundle_signature


def main(argv):
    args = argv[1:]
    show_canonical = bool(args) and args[0] == "--canonical"
    if show_canonical:
        args = args[1:]
    if len(args) != 1:
        sys.stderr.write("usage: verify_signatures.py [--canonical] NORMALIZED_BUNDLE.json\n")
        return 2
    try:
        with open(args[0], "rb") as f:
            raw = f.read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise VerifyError("Cannot read %s: it is not UTF-8 text" % args[0])
        document = parse(text)
        if show_canonical:
            out = canonical(document) + "\n"
        else:
            rules, bundle_signature = bundle_signatures(document)
            lines = ["%s %s plan=%s" % rule for rule in rules]
            lines.append("bundle " + bundle_signature)
            out = "\n".join(lines) + "\n"
        sys.stdout.buffer.write(utf8(out))
        return 0
    except (VerifyError, OSError) as e:
        sys.stderr.write("verify_signatures: %s\n" % e)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
