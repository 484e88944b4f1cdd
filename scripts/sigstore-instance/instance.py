"""A private Sigstore instance for tests.

Everything a Sigstore verifier needs to check a bundle, made up from scratch
with our own keys: a Fulcio-like certificate authority that embeds SCTs from
its own CT log, a Rekor v1-like transparency log with inclusion promises,
inclusion proofs and signed checkpoints, an RFC 3161 timestamp authority,
and the `trusted_root.json` that ties them together.

Nothing here talks to the network. The output is deterministic: keys,
serial numbers and the other log entries come from a seeded generator,
ECDSA signatures are deterministic (RFC 6979), and the times are fixed, so
running make.py twice writes the same bytes and nothing depends on the
current date.

The formats follow the Sigstore protobuf specs (bundle, trusted root, Rekor
log entry), RFC 6962 (SCTs and Merkle trees), the C2SP signed-note format
(checkpoints) and RFC 3161 / RFC 5652 (timestamp tokens).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import struct
from dataclasses import dataclass, field

import rfc8785
from asn1crypto import cms as a_cms
from asn1crypto import core as a_core
from asn1crypto import tsp as a_tsp
from asn1crypto import x509 as a_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

UTC = dt.timezone.utc

# The fixed "now" of the instance: every signature is made at this time.
T_SIGN = dt.datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC)
# Start of every validity window (certificates and trusted-root validFor).
T_EPOCH = dt.datetime(2026, 1, 1, 0, 0, 0, tzinfo=UTC)
# End of the certificate authorities' own certificates.
T_CA_END = dt.datetime(2036, 1, 1, 0, 0, 0, tzinfo=UTC)

LEAF_LIFETIME = dt.timedelta(minutes=10)

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"

MEDIA_BUNDLE_V01 = "application/vnd.dev.sigstore.bundle+json;version=0.1"
MEDIA_BUNDLE_V02 = "application/vnd.dev.sigstore.bundle+json;version=0.2"
MEDIA_BUNDLE_V03 = "application/vnd.dev.sigstore.bundle.v0.3+json"
MEDIA_TRUSTED_ROOT = "application/vnd.dev.sigstore.trustedroot+json;version=0.1"
MEDIA_TRUST_CONFIG = "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json"
MEDIA_SIGNING_CONFIG = "application/vnd.dev.sigstore.signingconfig.v0.2+json"
INTOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json"

# Fulcio certificate extensions (https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md)
OID_ISSUER_V1 = "1.3.6.1.4.1.57264.1.1"
OID_GH_TRIGGER_V1 = "1.3.6.1.4.1.57264.1.2"
OID_GH_SHA_V1 = "1.3.6.1.4.1.57264.1.3"
OID_GH_WORKFLOW_NAME_V1 = "1.3.6.1.4.1.57264.1.4"
OID_GH_REPOSITORY_V1 = "1.3.6.1.4.1.57264.1.5"
OID_GH_REF_V1 = "1.3.6.1.4.1.57264.1.6"
OID_OTHERNAME = "1.3.6.1.4.1.57264.1.7"
OID_ISSUER_V2 = "1.3.6.1.4.1.57264.1.8"
OID_BUILD_SIGNER_URI = "1.3.6.1.4.1.57264.1.9"
OID_BUILD_SIGNER_DIGEST = "1.3.6.1.4.1.57264.1.10"
OID_RUNNER_ENVIRONMENT = "1.3.6.1.4.1.57264.1.11"
OID_SOURCE_REPO_URI = "1.3.6.1.4.1.57264.1.12"
OID_SOURCE_REPO_DIGEST = "1.3.6.1.4.1.57264.1.13"
OID_SOURCE_REPO_REF = "1.3.6.1.4.1.57264.1.14"
OID_SOURCE_REPO_ID = "1.3.6.1.4.1.57264.1.15"
OID_SOURCE_REPO_OWNER_URI = "1.3.6.1.4.1.57264.1.16"
OID_SOURCE_REPO_OWNER_ID = "1.3.6.1.4.1.57264.1.17"
OID_BUILD_CONFIG_URI = "1.3.6.1.4.1.57264.1.18"
OID_BUILD_CONFIG_DIGEST = "1.3.6.1.4.1.57264.1.19"
OID_BUILD_TRIGGER = "1.3.6.1.4.1.57264.1.20"
OID_RUN_INVOCATION_URI = "1.3.6.1.4.1.57264.1.21"
OID_SOURCE_REPO_VISIBILITY = "1.3.6.1.4.1.57264.1.22"
OID_SCT_LIST = "1.3.6.1.4.1.11129.2.4.2"
OID_TSA_POLICY = "1.3.6.1.4.1.57264.2"


# --------------------------------------------------------------------------
# small encoding helpers
# --------------------------------------------------------------------------


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def rfc3339(t: dt.datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _der_len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    out = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(out)]) + out


def der_utf8(s: str) -> bytes:
    raw = s.encode()
    return b"\x0c" + _der_len(len(raw)) + raw


def der_octets(raw: bytes) -> bytes:
    return b"\x04" + _der_len(len(raw)) + raw


def spki_der(public_key) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def spki_pem(public_key) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def key_id(public_key) -> bytes:
    """RFC 6962 key id: SHA-256 of the DER SubjectPublicKeyInfo."""
    return sha256(spki_der(public_key))


def cert_der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


class _Rand:
    """Seeded randomness (SHA-256 in counter mode), so every run of make.py
    makes the same keys in the same order."""

    def __init__(self, seed: bytes = b"cairn private sigstore instance, v1"):
        self.seed = seed
        self.counter = 0

    def bytes(self, n: int) -> bytes:
        out = b""
        while len(out) < n:
            self.counter += 1
            out += hashlib.sha256(self.seed + self.counter.to_bytes(8, "big")).digest()
        return out[:n]


RAND = _Rand()

_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_P384_ORDER = int(
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973",
    16,
)


def _derive(curve: ec.EllipticCurve, order: int) -> ec.EllipticCurvePrivateKey:
    d = int.from_bytes(RAND.bytes(64), "big") % (order - 1) + 1
    return ec.derive_private_key(d, curve)


def p256() -> ec.EllipticCurvePrivateKey:
    return _derive(ec.SECP256R1(), _P256_ORDER)


def p384() -> ec.EllipticCurvePrivateKey:
    return _derive(ec.SECP384R1(), _P384_ORDER)


def ed25519_key() -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.from_private_bytes(RAND.bytes(32))


def _odd_primes_below(n: int) -> list[int]:
    sieve = bytearray([1]) * n
    sieve[:2] = b"\0\0"
    for i in range(2, int(n**0.5) + 1):
        if sieve[i]:
            sieve[i * i :: i] = bytes(len(range(i * i, n, i)))
    return [i for i in range(3, n) if sieve[i]]


_SMALL_PRIMES = _odd_primes_below(1 << 16)


def _probable_prime(n: int) -> bool:
    """Miller-Rabin with the first 12 prime bases (enough for a candidate that
    came from the seeded generator, not from an adversary)."""
    d, r = n - 1, 0
    while d % 2 == 0:
        d, r = d // 2, r + 1
    for a in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def _rsa_prime(bits: int, e: int) -> int:
    """The first prime at or after a seeded start with its two top bits set
    (so that the product of two has exactly 2*bits bits), found with a sieve
    over the small primes below 2**16."""
    base = int.from_bytes(RAND.bytes(bits // 8), "big") | (3 << (bits - 2))
    base -= base % 2
    span = 1 << 14
    while True:
        alive = bytearray([1]) * span  # alive[i]: base + 2*i + 1 has no small factor
        for q in _SMALL_PRIMES:
            start = (-(base + 1) * pow(2, -1, q)) % q
            alive[start::q] = bytes(len(range(start, span, q)))
        for i in range(span):
            n = base + 2 * i + 1
            if alive[i] and (n - 1) % e != 0 and _probable_prime(n):
                return n
        base += 2 * span


def rsa_key(bits: int, e: int = 65537) -> rsa.RSAPrivateKey:
    """A seeded RSA key of exactly `bits` bits (pure Python, so an 8192-bit
    key takes a few seconds)."""
    p = _rsa_prime(bits // 2, e)
    q = _rsa_prime(bits // 2, e)
    assert p != q and (p * q).bit_length() == bits
    d = pow(e, -1, (p - 1) * (q - 1))
    nums = rsa.RSAPrivateNumbers(
        p,
        q,
        d,
        rsa.rsa_crt_dmp1(d, p),
        rsa.rsa_crt_dmq1(d, q),
        rsa.rsa_crt_iqmp(p, q),
        rsa.RSAPublicNumbers(e, p * q),
    )
    return nums.private_key()


def serial_number() -> int:
    """Positive and at most 20 octets, like x509.random_serial_number()."""
    return (int.from_bytes(RAND.bytes(20), "big") >> 1) or 1


# Deterministic ECDSA (RFC 6979) with SHA-256, for everything but certificates
# (those are signed with ecdsa_deterministic=True by their P-384 issuers).
ECDSA_SHA256 = ec.ECDSA(hashes.SHA256(), deterministic_signing=True)


def canonical_json(obj) -> bytes:
    """RFC 8785 JSON canonicalization."""
    return rfc8785.dumps(obj)


def _name(cn: str, org: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def _raw_ext(oid: str, value: bytes) -> x509.UnrecognizedExtension:
    return x509.UnrecognizedExtension(ObjectIdentifier(oid), value)


# --------------------------------------------------------------------------
# certificate authorities
# --------------------------------------------------------------------------


@dataclass
class CertAuthority:
    """A root and an intermediate, as Fulcio and timestamp authorities have."""

    org: str
    root_key: ec.EllipticCurvePrivateKey
    root: x509.Certificate
    inter_key: ec.EllipticCurvePrivateKey | None = None
    inter: x509.Certificate | None = None

    @property
    def issuer_key(self):
        return self.inter_key if self.inter_key is not None else self.root_key

    @property
    def issuer(self) -> x509.Certificate:
        return self.inter if self.inter is not None else self.root

    @property
    def chain(self) -> list[x509.Certificate]:
        """Issuing certificate first, root last."""
        return [self.inter, self.root] if self.inter is not None else [self.root]


def make_root(cn: str, org: str, key=None, not_before=T_EPOCH, not_after=T_CA_END):
    key = key or p384()
    name = _name(cn, org)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA384(), ecdsa_deterministic=True)
    )
    return key, cert


def make_intermediate(
    cn: str,
    org: str,
    root_key,
    root: x509.Certificate,
    eku=(ExtendedKeyUsageOID.CODE_SIGNING,),
    key=None,
    not_before=T_EPOCH,
    not_after=T_CA_END,
):
    key = key or p384()
    b = (
        x509.CertificateBuilder()
        .subject_name(_name(cn, org))
        .issuer_name(root.subject)
        .public_key(key.public_key())
        .serial_number(serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    if eku:
        b = b.add_extension(x509.ExtendedKeyUsage(list(eku)), critical=False)
    cert = (
        b.add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
            critical=False,
        )
        .sign(root_key, hashes.SHA384(), ecdsa_deterministic=True)
    )
    return key, cert


# --------------------------------------------------------------------------
# CT log (RFC 6962 SCTs over precertificates)
# --------------------------------------------------------------------------


class CTLog:
    def __init__(self, name: str = "ctfe.cairn.test", key=None):
        self.name = name
        self.key = key or p256()
        self.log_id = key_id(self.key.public_key())

    def sct(self, precert_tbs: bytes, issuer_key_hash: bytes, when: dt.datetime) -> bytes:
        """One TLS-encoded SignedCertificateTimestamp (v1, precert entry)."""
        ts = int(when.timestamp() * 1000)
        ext = b""
        signed = (
            struct.pack("!BBQH", 0, 0, ts, 1)  # v1, certificate_timestamp, ts, precert_entry
            + issuer_key_hash
            + len(precert_tbs).to_bytes(3, "big")
            + precert_tbs
            + struct.pack("!H", len(ext))
            + ext
        )
        sig = self.key.sign(signed, ECDSA_SHA256)
        return (
            struct.pack("!B", 0)
            + self.log_id
            + struct.pack("!Q", ts)
            + struct.pack("!H", len(ext))
            + ext
            + struct.pack("!BBH", 4, 3, len(sig))  # sha256, ecdsa
            + sig
        )


def sct_list_extension_value(scts: list[bytes]) -> bytes:
    """extnValue of the precertificate SCT list extension: an OCTET STRING
    holding the TLS SignedCertificateTimestampList."""
    body = b"".join(struct.pack("!H", len(s)) + s for s in scts)
    return der_octets(struct.pack("!H", len(body)) + body)


# --------------------------------------------------------------------------
# Fulcio-like leaf certificates
# --------------------------------------------------------------------------


@dataclass
class Identity:
    """What the OIDC token said, as Fulcio puts it into a certificate."""

    issuer: str
    email: str | None = None
    uri: str | None = None
    othername: str | None = None
    # Claims of a GitHub Actions token; None for people.
    github: dict | None = None

    @property
    def san(self) -> str:
        return self.email or self.uri or self.othername  # type: ignore[return-value]


def github_identity(
    owner: str,
    repo: str,
    workflow: str = ".github/workflows/release.yml",
    ref: str = "refs/tags/v1.0.0",
    sha: str = "5f1c0e7c8f3b0c2a9d4e6f7081a2b3c4d5e6f708",
    trigger: str = "push",
    owner_id: str = "1001",
    repo_id: str = "2002",
    run_id: str = "9000000001",
) -> Identity:
    repo_full = f"{owner}/{repo}"
    signer = f"https://github.com/{repo_full}/{workflow}@{ref}"
    return Identity(
        issuer=GITHUB_ISSUER,
        uri=signer,
        github={
            "trigger": trigger,
            "sha": sha,
            "workflow_name": "Release",
            "repository": repo_full,
            "ref": ref,
            "build_signer_uri": signer,
            "build_signer_digest": sha,
            "runner_environment": "github-hosted",
            "source_repository_uri": f"https://github.com/{repo_full}",
            "source_repository_digest": sha,
            "source_repository_ref": ref,
            "source_repository_identifier": repo_id,
            "source_repository_owner_uri": f"https://github.com/{owner}",
            "source_repository_owner_identifier": owner_id,
            "build_config_uri": signer,
            "build_config_digest": sha,
            "build_trigger": trigger,
            "run_invocation_uri": f"https://github.com/{repo_full}/actions/runs/{run_id}/attempts/1",
            "source_repository_visibility": "public",
        },
    )


def fulcio_extensions(ident: Identity) -> list[x509.ExtensionType]:
    """The Fulcio OID extensions in the order Fulcio writes them."""
    exts = [_raw_ext(OID_ISSUER_V1, ident.issuer.encode())]
    gh = ident.github
    if gh:
        exts += [
            _raw_ext(OID_GH_TRIGGER_V1, gh["trigger"].encode()),
            _raw_ext(OID_GH_SHA_V1, gh["sha"].encode()),
            _raw_ext(OID_GH_WORKFLOW_NAME_V1, gh["workflow_name"].encode()),
            _raw_ext(OID_GH_REPOSITORY_V1, gh["repository"].encode()),
            _raw_ext(OID_GH_REF_V1, gh["ref"].encode()),
        ]
    exts.append(_raw_ext(OID_ISSUER_V2, der_utf8(ident.issuer)))
    if gh:
        for oid, k in [
            (OID_BUILD_SIGNER_URI, "build_signer_uri"),
            (OID_BUILD_SIGNER_DIGEST, "build_signer_digest"),
            (OID_RUNNER_ENVIRONMENT, "runner_environment"),
            (OID_SOURCE_REPO_URI, "source_repository_uri"),
            (OID_SOURCE_REPO_DIGEST, "source_repository_digest"),
            (OID_SOURCE_REPO_REF, "source_repository_ref"),
            (OID_SOURCE_REPO_ID, "source_repository_identifier"),
            (OID_SOURCE_REPO_OWNER_URI, "source_repository_owner_uri"),
            (OID_SOURCE_REPO_OWNER_ID, "source_repository_owner_identifier"),
            (OID_BUILD_CONFIG_URI, "build_config_uri"),
            (OID_BUILD_CONFIG_DIGEST, "build_config_digest"),
            (OID_BUILD_TRIGGER, "build_trigger"),
            (OID_RUN_INVOCATION_URI, "run_invocation_uri"),
            (OID_SOURCE_REPO_VISIBILITY, "source_repository_visibility"),
        ]:
            exts.append(_raw_ext(oid, der_utf8(gh[k])))
    return exts


class Fulcio:
    """Issues short-lived code-signing certificates with an embedded SCT."""

    def __init__(self, ctlog: CTLog, org: str = "cairn.test"):
        self.ctlog = ctlog
        root_key, root = make_root("cairn-fulcio-root", org)
        inter_key, inter = make_intermediate(
            "cairn-fulcio-intermediate", org, root_key, root
        )
        self.ca = CertAuthority(org, root_key, root, inter_key, inter)

    def issue(
        self,
        public_key,
        ident: Identity,
        when: dt.datetime = T_SIGN,
        eku=(ExtendedKeyUsageOID.CODE_SIGNING,),
        sct_log: CTLog | None | str = "default",
        decoy: tuple[str, bytes] | None = None,
    ) -> x509.Certificate:
        """A leaf for `public_key`, valid from `when` for ten minutes.

        `sct_log` is the CT log that signs the embedded SCT ("default" is the
        instance's own log; None leaves the SCT out). `decoy` is an
        (OID, extnValue) pair put just before the Fulcio extension with the
        same OID, so that the certificate carries that extension twice, which
        RFC 5280 forbids (see `_with_duplicate`)."""
        if sct_log == "default":
            sct_log = self.ctlog
        issuer_key, issuer = self.ca.issuer_key, self.ca.issuer

        if ident.email:
            san = [x509.RFC822Name(ident.email)]
        elif ident.uri:
            san = [x509.UniformResourceIdentifier(ident.uri)]
        else:
            san = [x509.OtherName(ObjectIdentifier(OID_OTHERNAME), der_utf8(ident.othername))]

        serial = serial_number()

        def builder():
            b = (
                x509.CertificateBuilder()
                .subject_name(x509.Name([]))
                .issuer_name(issuer.subject)
                .public_key(public_key)
                .serial_number(serial)
                .not_valid_before(when)
                .not_valid_after(when + LEAF_LIFETIME)
                .add_extension(
                    x509.KeyUsage(
                        digital_signature=True,
                        content_commitment=False,
                        key_encipherment=False,
                        data_encipherment=False,
                        key_agreement=False,
                        key_cert_sign=False,
                        crl_sign=False,
                        encipher_only=False,
                        decipher_only=False,
                    ),
                    critical=True,
                )
                .add_extension(x509.ExtendedKeyUsage(list(eku)), critical=False)
                .add_extension(
                    x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False
                )
                .add_extension(
                    x509.AuthorityKeyIdentifier.from_issuer_public_key(
                        issuer_key.public_key()
                    ),
                    critical=False,
                )
                .add_extension(x509.SubjectAlternativeName(san), critical=True)
            )
            for ext in fulcio_extensions(ident):
                if decoy is not None and ext.oid.dotted_string == decoy[0]:
                    b = b.add_extension(_raw_ext(_placeholder(decoy[0]), decoy[1]), critical=False)
                b = b.add_extension(ext, critical=False)
            return b

        def sign(b: x509.CertificateBuilder) -> x509.Certificate:
            cert = b.sign(issuer_key, hashes.SHA384(), ecdsa_deterministic=True)
            if decoy is not None:
                cert = _with_duplicate(cert, decoy[0], issuer_key)
            return cert

        if sct_log is None:
            return sign(builder())

        # RFC 6962 precertificate flow: the SCT signs the TBSCertificate
        # without the SCT list extension (and without the poison, which a
        # precertificate would carry); the final certificate then gets the
        # SCT list extension appended last.
        pre = sign(builder())
        precert_tbs = pre.tbs_certificate_bytes
        sct = sct_log.sct(precert_tbs, key_id(issuer_key.public_key()), when)
        final = sign(
            builder().add_extension(
                _raw_ext(OID_SCT_LIST, sct_list_extension_value([sct])), critical=False
            )
        )
        # The verifier's view of the precertificate must be what the log signed.
        assert _precert_tbs(final) == precert_tbs, "precert TBS mismatch"
        return final


def _placeholder(oid: str) -> str:
    """An OID of the same DER length as `oid` (last arc 127), which
    `_with_duplicate` turns back into `oid`."""
    head, last = oid.rsplit(".", 1)
    assert int(last) < 127, oid
    return f"{head}.127"


def _oid_der(oid: str) -> bytes:
    return a_core.ObjectIdentifier(oid).dump()


def _with_duplicate(cert: x509.Certificate, oid: str, issuer_key) -> x509.Certificate:
    """`cert` with the placeholder OID of `oid` renamed to `oid` in its
    TBSCertificate, re-signed (deterministic ECDSA with SHA-384). The
    cryptography package refuses to build a certificate with one extension
    twice, so the decoy goes in under another OID of the same length."""
    old, new = _oid_der(_placeholder(oid)), _oid_der(oid)
    assert len(old) == len(new)
    tbs = cert.tbs_certificate_bytes
    assert tbs.count(old) == 1, "placeholder OID not unique"
    tbs = tbs.replace(old, new)
    sig = issuer_key.sign(tbs, ec.ECDSA(hashes.SHA384(), deterministic_signing=True))
    c = a_x509.Certificate.load(cert_der(cert))
    out = a_x509.Certificate(
        {
            "tbs_certificate": a_x509.TbsCertificate.load(tbs),
            "signature_algorithm": c["signature_algorithm"],
            "signature_value": sig,
        }
    )
    return x509.load_der_x509_certificate(out.dump())


def _precert_tbs(cert: x509.Certificate) -> bytes:
    """The TBSCertificate without the SCT list extension, as RFC 6962
    verifiers rebuild it (done with asn1crypto, which, unlike cryptography,
    accepts a certificate with a duplicate extension)."""
    try:
        return cert.tbs_precertificate_bytes
    except x509.DuplicateExtension:
        pass
    tbs = a_x509.TbsCertificate.load(cert.tbs_certificate_bytes)
    tbs["extensions"] = a_x509.Extensions(
        [e for e in tbs["extensions"] if e["extn_id"].dotted != OID_SCT_LIST]
    )
    return tbs.dump()


# --------------------------------------------------------------------------
# Rekor v1-like transparency log
# --------------------------------------------------------------------------


def leaf_hash(data: bytes) -> bytes:
    return sha256(b"\x00" + data)


def node_hash(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right)


def _split(n: int) -> int:
    """Largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def merkle_root(hs: list[bytes]) -> bytes:
    if len(hs) == 0:
        return sha256(b"")
    if len(hs) == 1:
        return hs[0]
    k = _split(len(hs))
    return node_hash(merkle_root(hs[:k]), merkle_root(hs[k:]))


def merkle_path(m: int, hs: list[bytes]) -> list[bytes]:
    """RFC 6962 PATH(m, D[n]): audit path from the leaf up to the root."""
    if len(hs) <= 1:
        return []
    k = _split(len(hs))
    if m < k:
        return merkle_path(m, hs[:k]) + [merkle_root(hs[k:])]
    return merkle_path(m - k, hs[k:]) + [merkle_root(hs[:k])]


def hashedrekord_body(sig: bytes, verifier_pem: bytes, digest: bytes) -> dict:
    return {
        "apiVersion": "0.0.1",
        "kind": "hashedrekord",
        "spec": {
            "data": {"hash": {"algorithm": "sha256", "value": digest.hex()}},
            "signature": {
                "content": b64(sig),
                "publicKey": {"content": b64(verifier_pem)},
            },
        },
    }


def dsse_body(envelope: dict, verifier_pem: bytes) -> dict:
    payload = base64.b64decode(envelope["payload"])
    return {
        "apiVersion": "0.0.1",
        "kind": "dsse",
        "spec": {
            "envelopeHash": {
                "algorithm": "sha256",
                "value": sha256(canonical_json(envelope)).hex(),
            },
            "payloadHash": {"algorithm": "sha256", "value": sha256(payload).hex()},
            "signatures": [
                {"signature": s["sig"], "verifier": b64(verifier_pem)}
                for s in envelope["signatures"]
            ],
        },
    }


class Rekor:
    """A single-shard Rekor v1 log.

    The global `logIndex` carries a shard offset, as the public Rekor's does,
    so it differs from the index inside the tree that the inclusion proof
    uses."""

    SHARD_OFFSET = 2_000_000

    def __init__(self, host: str = "rekor.cairn.test", tree_id: int = 4420746529193462208, key=None):
        self.host = host
        self.origin = f"{host} - {tree_id}"
        self.key = key or p256()
        self.log_id = key_id(self.key.public_key())
        self.leaves: list[bytes] = []
        # Some other people's entries, so proofs have several hashes.
        for i in range(5):
            self._dummy(i)

    def _dummy(self, i: int) -> None:
        self.leaves.append(leaf_hash(b"unrelated entry %d " % i + RAND.bytes(16)))

    def checkpoint(self, size: int, root: bytes, key=None, hint_key=None) -> str:
        """A signed note over `origin / size / root`.

        `key` signs (default: the log's key); `hint_key` gives the 4-byte key
        hint (default: the signing key)."""
        key = key or self.key
        hint_key = hint_key or key
        note = f"{self.origin}\n{size}\n{b64(root)}\n"
        sig = key.sign(note.encode(), ECDSA_SHA256)
        hint = key_id(hint_key.public_key())[:4]
        return f"{note}\n\u2014 {self.host} {b64(hint + sig)}\n"

    def set_signature(self, body_b64: str, integrated_time: int, log_index: int, key=None) -> bytes:
        payload = canonical_json(
            {
                "body": body_b64,
                "integratedTime": integrated_time,
                "logID": self.log_id.hex(),
                "logIndex": log_index,
            }
        )
        return (key or self.key).sign(payload, ECDSA_SHA256)

    def append(self, body: dict, integrated_time: dt.datetime, promise: bool = True) -> dict:
        """Log `body` and return its TransparencyLogEntry (protobuf JSON)."""
        body_bytes = canonical_json(body)
        idx = len(self.leaves)
        self.leaves.append(leaf_hash(body_bytes))
        # Entries that came in after ours, before the checkpoint.
        for i in range(3):
            self._dummy(1000 + idx + i)
        size = len(self.leaves)
        hs = list(self.leaves)
        root = merkle_root(hs)
        path = merkle_path(idx, hs)
        body_b64 = b64(body_bytes)
        itime = int(integrated_time.timestamp())
        gidx = self.SHARD_OFFSET + idx
        entry = {
            "logIndex": str(gidx),
            "logId": {"keyId": b64(self.log_id)},
            "kindVersion": {"kind": body["kind"], "version": body["apiVersion"]},
            "integratedTime": str(itime),
        }
        if promise:
            entry["inclusionPromise"] = {
                "signedEntryTimestamp": b64(self.set_signature(body_b64, itime, gidx))
            }
        entry["inclusionProof"] = {
            "logIndex": str(idx),
            "rootHash": b64(root),
            "treeSize": str(size),
            "hashes": [b64(h) for h in path],
            "checkpoint": {"envelope": self.checkpoint(size, root)},
        }
        entry["canonicalizedBody"] = body_b64
        return entry


# --------------------------------------------------------------------------
# RFC 3161 timestamp authority
# --------------------------------------------------------------------------


class TSA:
    def __init__(self, name: str = "cairn-tsa", org: str = "cairn.test", root=None, root_key=None, leaf_subject=None):
        if root is None:
            root_key, root = make_root(f"{name}-root", org)
        self.root_key, self.root = root_key, root
        self.key = p256()
        subject = leaf_subject or _name(f"{name}-signer", org)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(root.subject)
            .public_key(self.key.public_key())
            .serial_number(serial_number())
            .not_valid_before(T_EPOCH)
            .not_valid_after(T_CA_END)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()),
                critical=False,
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
                critical=False,
            )
            .sign(root_key, hashes.SHA384(), ecdsa_deterministic=True)
        )
        self.serial = 1

    def timestamp(self, message: bytes, gen_time: dt.datetime, embed_cert: bool = True) -> bytes:
        """A DER TimeStampResp whose token covers sha256(message)."""
        self.serial += 1
        tst = a_tsp.TSTInfo(
            {
                "version": "v1",
                "policy": OID_TSA_POLICY,
                "message_imprint": {
                    "hash_algorithm": {"algorithm": "sha256"},
                    "hashed_message": sha256(message),
                },
                "serial_number": self.serial,
                "gen_time": gen_time.astimezone(UTC),
                "ordering": False,
            }
        )
        tst_der = tst.dump()
        leaf_der = cert_der(self.cert)
        a_leaf = a_x509.Certificate.load(leaf_der)
        issuer_serial = {
            "issuer": a_leaf.issuer,
            "serial_number": a_leaf.serial_number,
        }
        signed_attrs = a_cms.CMSAttributes(
            [
                {"type": "content_type", "values": ["tst_info"]},
                {"type": "signing_time", "values": [a_cms.Time({"utc_time": gen_time.astimezone(UTC)})]},
                {"type": "message_digest", "values": [sha256(tst_der)]},
                {
                    "type": "signing_certificate_v2",
                    "values": [
                        {
                            "certs": [
                                {
                                    "cert_hash": sha256(leaf_der),
                                    "issuer_serial": {
                                        "issuer": [
                                            a_x509.GeneralName(
                                                name="directory_name", value=a_leaf.issuer
                                            )
                                        ],
                                        "serial_number": a_leaf.serial_number,
                                    },
                                }
                            ]
                        }
                    ],
                },
            ]
        )
        signature = self.key.sign(signed_attrs.dump(), ECDSA_SHA256)
        signer_info = a_cms.SignerInfo(
            {
                "version": "v1",
                "sid": a_cms.SignerIdentifier(
                    name="issuer_and_serial_number", value=issuer_serial
                ),
                "digest_algorithm": {"algorithm": "sha256"},
                "signed_attrs": signed_attrs,
                "signature_algorithm": {"algorithm": "sha256_ecdsa"},
                "signature": signature,
            }
        )
        signed_data = a_cms.SignedData(
            {
                "version": "v3",
                "digest_algorithms": [{"algorithm": "sha256"}],
                "encap_content_info": {
                    "content_type": "tst_info",
                    "content": a_core.ParsableOctetString(tst_der),
                },
                "certificates": [a_leaf] if embed_cert else [],
                "signer_infos": [signer_info],
            }
        )
        if not embed_cert:
            del signed_data["certificates"]
        token = a_cms.ContentInfo({"content_type": "signed_data", "content": signed_data})
        resp = a_tsp.TimeStampResp({"status": {"status": "granted"}, "time_stamp_token": token})
        return resp.dump()


# --------------------------------------------------------------------------
# trusted root
# --------------------------------------------------------------------------


def _valid_for(start: dt.datetime, end: dt.datetime | None) -> dict:
    d = {"start": rfc3339(start)}
    if end is not None:
        d["end"] = rfc3339(end)
    return d


def tlog_json(base_url: str, public_key, start=T_EPOCH, end=None) -> dict:
    return {
        "baseUrl": base_url,
        "hashAlgorithm": "SHA2_256",
        "publicKey": {
            "rawBytes": b64(spki_der(public_key)),
            "keyDetails": "PKIX_ECDSA_P256_SHA_256",
            "validFor": _valid_for(start, end),
        },
        "logId": {"keyId": b64(key_id(public_key))},
    }


def ca_json(org: str, cn: str, uri: str, chain: list[x509.Certificate], start=T_EPOCH, end=None) -> dict:
    return {
        "subject": {"organization": org, "commonName": cn},
        "uri": uri,
        "certChain": {"certificates": [{"rawBytes": b64(cert_der(c))} for c in chain]},
        "validFor": _valid_for(start, end),
    }


@dataclass
class Instance:
    """The whole private instance: CA, CT log, transparency log, TSA."""

    ctlog: CTLog = field(default_factory=CTLog)
    rekor: Rekor = field(default_factory=Rekor)
    tsa: TSA = field(default_factory=TSA)
    fulcio: Fulcio = None  # type: ignore[assignment]

    def __post_init__(self):
        if self.fulcio is None:
            self.fulcio = Fulcio(self.ctlog)

    def trusted_root(
        self,
        tlogs: bool = True,
        ca_end: dt.datetime | None = None,
        tsas: list[dict] | None = None,
    ) -> dict:
        """trusted_root.json. `tsas` replaces the default timestamp authority list."""
        ca = self.fulcio.ca
        root = {
            "mediaType": MEDIA_TRUSTED_ROOT,
            "tlogs": [tlog_json(f"https://{self.rekor.host}", self.rekor.key.public_key())]
            if tlogs
            else [],
            "certificateAuthorities": [
                ca_json(
                    ca.org,
                    "cairn-fulcio",
                    "https://fulcio.cairn.test",
                    [ca.inter, ca.root],
                    end=ca_end,
                )
            ],
            "ctlogs": [tlog_json(f"https://{self.ctlog.name}", self.ctlog.key.public_key())],
            "timestampAuthorities": tsas
            if tsas is not None
            else [self.tsa_entry(self.tsa)],
        }
        return root

    @staticmethod
    def tsa_entry(tsa: TSA, start=T_EPOCH, end=None, uri="https://tsa.cairn.test/api/v1/timestamp") -> dict:
        return ca_json("cairn.test", "cairn-tsa", uri, [tsa.cert, tsa.root], start=start, end=end)


def trust_config(trusted_root: dict) -> dict:
    """A client trust configuration (for sigstore-python's --trust-config)."""
    return {
        "mediaType": MEDIA_TRUST_CONFIG,
        "trustedRoot": trusted_root,
        "signingConfig": {
            "mediaType": MEDIA_SIGNING_CONFIG,
            "caUrls": [
                {"url": "https://fulcio.cairn.test", "majorApiVersion": 1, "validFor": {"start": rfc3339(T_EPOCH)}, "operator": "cairn.test"}
            ],
            "oidcUrls": [
                {"url": "https://oauth2.cairn.test/auth", "majorApiVersion": 1, "validFor": {"start": rfc3339(T_EPOCH)}, "operator": "cairn.test"}
            ],
            "rekorTlogUrls": [
                {"url": "https://rekor.cairn.test", "majorApiVersion": 1, "validFor": {"start": rfc3339(T_EPOCH)}, "operator": "cairn.test"}
            ],
            "rekorTlogConfig": {"selector": "ANY"},
            "tsaUrls": [
                {"url": "https://tsa.cairn.test/api/v1/timestamp", "majorApiVersion": 1, "validFor": {"start": rfc3339(T_EPOCH)}, "operator": "cairn.test"}
            ],
            "tsaConfig": {"selector": "ANY"},
        },
    }


# --------------------------------------------------------------------------
# signing and bundles
# --------------------------------------------------------------------------


def pae(payload_type: str, payload: bytes) -> bytes:
    t = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


def provenance_statement(subject_name: str, digest_hex: str, ident: Identity) -> bytes:
    gh = ident.github or {}
    repo_uri = gh.get("source_repository_uri", "https://github.com/acme/app")
    stmt = {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": subject_name, "digest": {"sha256": digest_hex}}],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {
            "buildDefinition": {
                "buildType": "https://actions.github.io/buildtypes/workflow/v1",
                "externalParameters": {
                    "workflow": {
                        "ref": gh.get("ref", "refs/tags/v1.0.0"),
                        "repository": repo_uri,
                        "path": ".github/workflows/release.yml",
                    }
                },
                "internalParameters": {
                    "github": {
                        "event_name": gh.get("trigger", "push"),
                        "repository_id": gh.get("source_repository_identifier", "2002"),
                        "repository_owner_id": gh.get("source_repository_owner_identifier", "1001"),
                        "runner_environment": "github-hosted",
                    }
                },
                "resolvedDependencies": [
                    {
                        "uri": f"git+{repo_uri}@{gh.get('ref', 'refs/tags/v1.0.0')}",
                        "digest": {"gitCommit": gh.get("sha", "0" * 40)},
                    }
                ],
            },
            "runDetails": {
                "builder": {"id": "https://github.com/actions/runner/github-hosted"},
                "metadata": {"invocationId": gh.get("run_invocation_uri", "")},
            },
        },
    }
    return json.dumps(stmt, separators=(",", ":")).encode()


@dataclass
class Signer:
    """A signing key plus the certificate Fulcio gave for it (none for a
    managed key, which may also be Ed25519 or RSA)."""

    key: ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey
    cert: x509.Certificate | None = None

    def sign(self, data: bytes) -> bytes:
        # Ed25519 signs the message itself; RSA uses PKCS#1 v1.5 with
        # SHA-256, as Sigstore clients do. Both are deterministic.
        if isinstance(self.key, ed25519.Ed25519PrivateKey):
            return self.key.sign(data)
        if isinstance(self.key, rsa.RSAPrivateKey):
            return self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        return self.key.sign(data, ECDSA_SHA256)

    @property
    def verifier_pem(self) -> bytes:
        if self.cert is not None:
            return cert_pem(self.cert)
        return spki_pem(self.key.public_key())


def dsse_envelope(signers: list[Signer], payload: bytes, payload_type: str = INTOTO_PAYLOAD_TYPE) -> dict:
    msg = pae(payload_type, payload)
    return {
        "payload": b64(payload),
        "payloadType": payload_type,
        "signatures": [{"sig": b64(s.sign(msg)), "keyid": ""} for s in signers],
    }


def bundle_json(
    media_type: str,
    material: dict,
    tlog_entries: list[dict],
    content: dict,
    timestamps: list[bytes] | None = None,
) -> dict:
    """Assemble a bundle. `material` is one of {"certificate": ...},
    {"x509CertificateChain": ...} or {"publicKey": ...}; `content` is
    {"messageSignature": ...} or {"dsseEnvelope": ...}."""
    vm = dict(material)
    vm["tlogEntries"] = tlog_entries
    if timestamps:
        vm["timestampVerificationData"] = {
            "rfc3161Timestamps": [{"signedTimestamp": b64(t)} for t in timestamps]
        }
    b = {"mediaType": media_type, "verificationMaterial": vm}
    b.update(content)
    return b


def material_certificate(cert: x509.Certificate) -> dict:
    return {"certificate": {"rawBytes": b64(cert_der(cert))}}


def material_chain(certs: list[x509.Certificate]) -> dict:
    return {"x509CertificateChain": {"certificates": [{"rawBytes": b64(cert_der(c))} for c in certs]}}


def material_public_key(public_key) -> dict:
    return {"publicKey": {"hint": b64(key_id(public_key))}}


def message_signature(artifact: bytes, sig: bytes, digest: bytes | None = None) -> dict:
    return {
        "messageSignature": {
            "messageDigest": {
                "algorithm": "SHA2_256",
                "digest": b64(digest if digest is not None else sha256(artifact)),
            },
            "signature": b64(sig),
        }
    }
