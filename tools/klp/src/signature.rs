// SPDX-License-Identifier: GPL-2.0
//! A module's appended signature, as `scripts/sign-file` writes it and `kernel/module/signing.c`
//! reads it (`Documentation/admin-guide/module-signing.rst`):
//!
//! ```text
//! <module> <PKCS#7 DER, without certificates> <struct module_signature> "~Module signature appended~\n"
//! ```
//!
//! `struct module_signature` (`include/linux/module_signature.h`) is 12 bytes: `algo`, `hash`,
//! `id_type`, `signer_len`, `key_id_len`, 3 bytes of padding, and `sig_len` (big-endian). The
//! kernel accepts only `id_type` `PKEY_ID_PKCS7` with every other field 0; the signer is then in
//! the PKCS#7 message. What is shown is what kmod's `modinfo` shows (`sig_id`, `signer`,
//! `sig_key`, `sig_hashalgo`, `libkmod/libkmod-signature.c` built with libcrypto): the common
//! name of the issuer of the first SignerInfo, its serial number as colon-separated upper-case
//! hex bytes, and the OpenSSL name of its digest algorithm. The PKCS#7 message is read by a
//! small DER reader; nothing in the file can make it panic: what it cannot read is
//! [`Signature::Unreadable`], with the reason.

use serde::Serialize;

/// The string that ends a signed module (`MODULE_SIG_STRING`).
pub const MAGIC: &[u8] = b"~Module signature appended~\n";
/// `sizeof(struct module_signature)`.
const INFO_LEN: usize = 12;
/// `enum pkey_id_type`, as kmod names them (`sig_id`).
const ID_TYPES: [&str; 3] = ["PGP", "X509", "PKCS#7"];
const PKEY_ID_PKCS7: u8 = 2;
/// `enum pkey_hash_algo` of the 3.7 kernels, for the pre-PKCS#7 formats, as kmod names them.
const HASHES: [&str; 9] = [
    "md4", "md5", "sha1", "rmd160", "sha256", "sha384", "sha512", "sha224", "sm3",
];
/// `enum pkey_algo` of the 3.7 kernels: DSA, RSA.
const ALGOS: usize = 2;

/// What a module file says about its signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum Signature {
    /// No `~Module signature appended~` at the end.
    Unsigned,
    Signed {
        /// `PKCS#7` (the only type the kernel accepts), `X509` or `PGP`.
        sig_id: String,
        /// The issuer's common name (kmod: the first CN attribute of the issuer name); empty
        /// when the signature names its key by subjectKeyIdentifier (`sign-file -k`).
        signer: String,
        /// The serial number of the signer's certificate (PKCS#7; its subjectKeyIdentifier
        /// with `sign-file -k`), else the key id, as `AB:CD:...`.
        sig_key: String,
        /// The digest algorithm, `sha256`, ... (an unknown one as a dotted OID).
        sig_hashalgo: String,
    },
    /// The magic is there, but what precedes it cannot be read (`modinfo` shows nothing then,
    /// and the kernel refuses the module with `EBADMSG` or `ENOPKG`).
    Unreadable { error: String },
}

impl Signature {
    /// The signature appended to `file` (a whole module file).
    pub fn parse(file: &[u8]) -> Signature {
        let Some(body) = file.strip_suffix(MAGIC) else {
            return Signature::Unsigned;
        };
        match parse_signed(body) {
            Ok(s) => s,
            Err(error) => Signature::Unreadable { error },
        }
    }
}

/// `body`: the file without the magic.
fn parse_signed(body: &[u8]) -> Result<Signature, String> {
    let Some(at) = body.len().checked_sub(INFO_LEN) else {
        return Err(format!(
            "{} bytes before the magic, no room for struct module_signature",
            body.len()
        ));
    };
    let ms = &body[at..];
    let (algo, hash, id_type, signer_len, key_id_len) = (ms[0], ms[1], ms[2], ms[3], ms[4]);
    let sig_len = u32::from_be_bytes([ms[8], ms[9], ms[10], ms[11]]) as usize;
    let rest = &body[..at];
    if sig_len == 0 {
        return Err("sig_len is 0".into());
    }
    let total = sig_len + signer_len as usize + key_id_len as usize;
    if total >= rest.len() {
        return Err(format!(
            "sig_len {sig_len} (with signer_len {signer_len}, key_id_len {key_id_len}) exceeds \
             the {} bytes before it",
            rest.len()
        ));
    }
    let sig = &rest[rest.len() - sig_len..];
    if id_type == PKEY_ID_PKCS7 {
        if algo != 0 || hash != 0 || signer_len != 0 || key_id_len != 0 || ms[5..8] != [0; 3] {
            return Err("PKCS#7 signature info has unexpected non-zero params".into());
        }
        let p = pkcs7(sig).map_err(|e| format!("PKCS#7 message: {e}"))?;
        return Ok(Signature::Signed {
            sig_id: ID_TYPES[PKEY_ID_PKCS7 as usize].into(),
            signer: p.signer,
            sig_key: hex(&p.serial),
            sig_hashalgo: p.hash,
        });
    }
    // The formats of the 3.7 kernels (the kernel refuses them: ENOPKG): the signer's name and
    // the key id precede the signature.
    if algo as usize >= ALGOS || hash as usize >= HASHES.len() || id_type as usize >= ID_TYPES.len()
    {
        return Err(format!(
            "unknown signature type (algo {algo}, hash {hash}, id_type {id_type})"
        ));
    }
    let key_end = rest.len() - sig_len;
    let key_id = &rest[key_end - key_id_len as usize..key_end];
    let signer_end = key_end - key_id_len as usize;
    let signer = &rest[signer_end - signer_len as usize..signer_end];
    Ok(Signature::Signed {
        sig_id: ID_TYPES[id_type as usize].into(),
        signer: String::from_utf8_lossy(signer).into_owned(),
        sig_key: hex(key_id),
        sig_hashalgo: HASHES[hash as usize].into(),
    })
}

/// What to do about a refused signature.
pub const HOW_TO_SIGN: &str = "sign it with the kernel's key: `make modules` signs with \
$KDIR/certs/signing_key.pem (or SIGN_KEY=KEY SIGN_CERT=CERT), by hand \
`$KDIR/scripts/sign-file sha256 $KDIR/certs/signing_key.pem $KDIR/certs/signing_key.x509 FILE.ko`";

/// Why the kernel refused `file` with `errno`, when that is its signature (else `None`), from
/// what the file says about its signature. `kernel/module/signing.c`: an unsigned module, an
/// unknown key or an unsupported algorithm are refused with `EKEYREJECTED` when signatures are
/// enforced (`module.sig_enforce`, `CONFIG_MODULE_SIG_FORCE`), with `EPERM` under lockdown,
/// and loaded otherwise; a signature that does not match the file (changed after signing) is
/// `EKEYREJECTED` even without enforcement, a malformed one `EBADMSG`. `ENOKEY` and `ENOPKG`
/// are the non-enforced answers of the check, kept in case a kernel passes them on.
/// `lockdown`: the kernel's lockdown mode when it is not `none` (and modules are not disabled).
pub fn refusal(file: &str, errno: i32, sig: &Signature, lockdown: Option<&str>) -> Option<String> {
    let e = std::io::Error::from_raw_os_error(errno);
    let signed_by = |signer: &str, sig_key: &str, hash: &str| {
        if signer.is_empty() {
            format!("it is signed with key {sig_key} ({hash})")
        } else {
            format!("it is signed by {signer} (key {sig_key}, {hash})")
        }
    };
    let why = match (errno, sig) {
        (libc::EKEYREJECTED, Signature::Unsigned) => {
            "it is not signed, and this kernel loads only signed modules (module.sig_enforce)"
                .to_string()
        }
        (
            libc::EKEYREJECTED,
            Signature::Signed {
                signer,
                sig_key,
                sig_hashalgo,
                ..
            },
        ) => format!(
            "{}: the kernel does not trust that key, or the file changed after signing (dmesg \
             says which)",
            signed_by(signer, sig_key, sig_hashalgo)
        ),
        (libc::EKEYREJECTED | libc::EBADMSG, Signature::Unreadable { error }) => {
            format!("its signature is malformed: {error}")
        }
        (libc::EBADMSG, Signature::Signed { .. }) => {
            "its signature is malformed (the kernel cannot read its PKCS#7 message; dmesg)".into()
        }
        (
            libc::ENOKEY,
            Signature::Signed {
                signer,
                sig_key,
                sig_hashalgo,
                ..
            },
        ) => format!(
            "{}: the kernel has no such key",
            signed_by(signer, sig_key, sig_hashalgo)
        ),
        (
            libc::ENOPKG,
            Signature::Signed {
                sig_id,
                sig_hashalgo,
                ..
            },
        ) => format!(
            "its signature ({sig_id}, {sig_hashalgo}) is of a type or algorithm the kernel \
             does not support (it takes PKCS#7 and the hashes built into it)"
        ),
        (libc::ENOKEY | libc::ENOPKG, _) => {
            "the kernel cannot check its signature (no key, or an unsupported algorithm)".into()
        }
        (libc::EPERM, _) => {
            let mode = lockdown?;
            match sig {
                Signature::Unsigned => format!(
                    "it is not signed, and the kernel is locked down ({mode}): it loads only \
                     signed modules"
                ),
                Signature::Signed {
                    signer,
                    sig_key,
                    sig_hashalgo,
                    ..
                } => format!(
                    "{}: the kernel, locked down ({mode}), does not trust that key",
                    signed_by(signer, sig_key, sig_hashalgo)
                ),
                Signature::Unreadable { error } => format!(
                    "the kernel is locked down ({mode}) and its signature is malformed: {error}"
                ),
            }
        }
        _ => return None,
    };
    Some(format!(
        "the kernel refused {file} ({e}): {why}; {HOW_TO_SIGN}; nothing was changed"
    ))
}

/// `AB:CD:...`, as kmod prints a key id.
fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// What `modinfo` shows of a PKCS#7 message.
#[derive(Debug)]
struct Pkcs7 {
    signer: String,
    /// The serial number's magnitude, without leading zero bytes (OpenSSL's `BN_bn2bin`).
    serial: Vec<u8>,
    hash: String,
}

// DER tags.
const INTEGER: u8 = 0x02;
const OID: u8 = 0x06;
const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const CONTEXT_0: u8 = 0xa0;
/// `[0] IMPLICIT SubjectKeyIdentifier` (an OCTET STRING).
const SKID: u8 = 0x80;

/// `signedData`, 1.2.840.113549.1.7.2.
const OID_SIGNED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
/// `commonName`, 2.5.4.3.
const OID_COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];

/// A reader of DER (and of BER's indefinite lengths, which streaming encoders write).
struct Der<'a> {
    data: &'a [u8],
}

/// Nesting beyond this is refused (indefinite lengths are found by recursion).
const MAX_DEPTH: u32 = 32;

impl<'a> Der<'a> {
    fn new(data: &'a [u8]) -> Self {
        Der { data }
    }

    fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    fn peek_tag(&self) -> Option<u8> {
        self.data.first().copied()
    }

    /// The next element: its tag and contents.
    fn next(&mut self) -> Result<(u8, &'a [u8]), String> {
        self.next_at(0)
    }

    fn next_at(&mut self, depth: u32) -> Result<(u8, &'a [u8]), String> {
        if depth > MAX_DEPTH {
            return Err("nested too deeply".into());
        }
        let d = self.data;
        let (&tag, after) = d.split_first().ok_or("truncated (no tag)")?;
        if tag & 0x1f == 0x1f {
            return Err(format!("multi-byte tag {tag:#04x}"));
        }
        let (&first, mut after) = after.split_first().ok_or("truncated (no length)")?;
        let len = if first < 0x80 {
            first as usize
        } else if first == 0x80 {
            // Indefinite: constructed contents up to an end-of-contents (00 00).
            if tag & 0x20 == 0 {
                return Err("indefinite length of a primitive element".into());
            }
            let mut inner = Der::new(after);
            loop {
                if inner.data.starts_with(&[0, 0]) {
                    let contents = &after[..after.len() - inner.data.len()];
                    self.data = &inner.data[2..];
                    return Ok((tag, contents));
                }
                inner.next_at(depth + 1)?;
            }
        } else {
            let n = (first & 0x7f) as usize;
            if n > 4 || after.len() < n {
                return Err("bad length".into());
            }
            let len = after[..n]
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | b as usize);
            after = &after[n..];
            len
        };
        if after.len() < len {
            return Err(format!(
                "truncated (an element of {len} bytes, {} left)",
                after.len()
            ));
        }
        self.data = &after[len..];
        Ok((tag, &after[..len]))
    }

    /// The next element, which must have tag `want`: its contents.
    fn expect(&mut self, want: u8, what: &str) -> Result<&'a [u8], String> {
        match self.next()? {
            (t, c) if t == want => Ok(c),
            (t, _) => Err(format!("{what}: tag {t:#04x}, expected {want:#04x}")),
        }
    }
}

/// The dotted form of an OID's contents.
fn oid_dotted(c: &[u8]) -> Result<String, String> {
    let mut arcs: Vec<u64> = vec![];
    let mut v: u64 = 0;
    for (i, &b) in c.iter().enumerate() {
        if v > u64::MAX >> 7 {
            return Err("OID arc too large".into());
        }
        v = (v << 7) | (b & 0x7f) as u64;
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (v / 40).min(2);
                arcs.push(first);
                arcs.push(v - first * 40);
            } else {
                arcs.push(v);
            }
            v = 0;
        } else if i + 1 == c.len() {
            return Err("truncated OID".into());
        }
    }
    if arcs.is_empty() {
        return Err("empty OID".into());
    }
    Ok(arcs
        .iter()
        .map(|a| a.to_string())
        .collect::<Vec<_>>()
        .join("."))
}

/// The name OpenSSL's `OBJ_obj2txt()` gives a digest algorithm (its long name), as kmod prints
/// it; an unknown one in dotted form.
fn digest_name(c: &[u8]) -> Result<String, String> {
    let dotted = oid_dotted(c)?;
    let known = match dotted.as_str() {
        "1.2.840.113549.2.4" => "md4",
        "1.2.840.113549.2.5" => "md5",
        "1.3.14.3.2.26" => "sha1",
        "1.3.36.3.2.1" => "ripemd160",
        "2.16.840.1.101.3.4.2.1" => "sha256",
        "2.16.840.1.101.3.4.2.2" => "sha384",
        "2.16.840.1.101.3.4.2.3" => "sha512",
        "2.16.840.1.101.3.4.2.4" => "sha224",
        "2.16.840.1.101.3.4.2.5" => "sha512-224",
        "2.16.840.1.101.3.4.2.6" => "sha512-256",
        "2.16.840.1.101.3.4.2.7" => "sha3-224",
        "2.16.840.1.101.3.4.2.8" => "sha3-256",
        "2.16.840.1.101.3.4.2.9" => "sha3-384",
        "2.16.840.1.101.3.4.2.10" => "sha3-512",
        "1.2.156.10197.1.401" => "sm3",
        _ => return Ok(dotted),
    };
    Ok(known.into())
}

/// The magnitude of a DER INTEGER (two's complement), without leading zero bytes, as
/// `ASN1_INTEGER_to_BN()` then `BN_bn2bin()` give it.
fn magnitude(c: &[u8]) -> Vec<u8> {
    let mut m = c.to_vec();
    if m.first().is_some_and(|&b| b & 0x80 != 0) {
        // Negative: the magnitude is the two's complement.
        let mut carry = true;
        for b in m.iter_mut().rev() {
            *b = !*b;
            if carry {
                let (v, c) = b.overflowing_add(1);
                *b = v;
                carry = c;
            }
        }
    }
    let zeros = m.iter().take_while(|&&b| b == 0).count();
    m.split_off(zeros)
}

/// The issuer's common name as kmod takes it (`x509_name_to_str()`): the first commonName
/// attribute in order; without one, kmod's loop leaves it on the last attribute, whose value
/// it then shows. The value's bytes up to a NUL (kmod uses `strlen`).
fn common_name(name: &[u8]) -> Result<String, String> {
    let mut rdns = Der::new(name);
    let mut last: Option<&[u8]> = None;
    while !rdns.is_empty() {
        let mut atvs = Der::new(rdns.expect(SET, "issuer RDN")?);
        while !atvs.is_empty() {
            let mut atv = Der::new(atvs.expect(SEQUENCE, "issuer attribute")?);
            let oid = atv.expect(OID, "issuer attribute type")?;
            let (_, value) = atv.next()?;
            if oid == OID_COMMON_NAME {
                return Ok(text(value));
            }
            last = Some(value);
        }
    }
    Ok(last.map(text).unwrap_or_default())
}

fn text(b: &[u8]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

/// Reads `ContentInfo { signedData, [0] SignedData { version, digestAlgorithms, contentInfo,
/// [0] certificates OPTIONAL, [1] crls OPTIONAL, signerInfos } }` (RFC 2315) down to the first
/// `SignerInfo { version, issuerAndSerialNumber { issuer, serialNumber }, digestAlgorithm, ...
/// }`.
fn pkcs7(der: &[u8]) -> Result<Pkcs7, String> {
    let mut outer = Der::new(der);
    let mut ci = Der::new(outer.expect(SEQUENCE, "ContentInfo")?);
    let ty = ci.expect(OID, "contentType")?;
    if ty != OID_SIGNED_DATA {
        return Err(format!("contentType {}, not signedData", oid_dotted(ty)?));
    }
    let mut explicit = Der::new(ci.expect(CONTEXT_0, "content")?);
    let mut sd = Der::new(explicit.expect(SEQUENCE, "SignedData")?);
    sd.expect(INTEGER, "SignedData version")?;
    sd.expect(SET, "digestAlgorithms")?;
    sd.expect(SEQUENCE, "contentInfo")?;
    while matches!(sd.peek_tag(), Some(t) if t & 0xc0 == 0x80) {
        sd.next()?; // [0] certificates, [1] crls
    }
    let mut infos = Der::new(sd.expect(SET, "signerInfos")?);
    if infos.is_empty() {
        return Err("no SignerInfo".into());
    }
    let mut si = Der::new(infos.expect(SEQUENCE, "SignerInfo")?);
    si.expect(INTEGER, "SignerInfo version")?;
    let (signer, serial) = match si.next()? {
        (SEQUENCE, ias) => {
            let mut ias = Der::new(ias);
            let signer = common_name(ias.expect(SEQUENCE, "issuer")?)?;
            (signer, magnitude(ias.expect(INTEGER, "serialNumber")?))
        }
        // CMS (RFC 5652) `[0] subjectKeyIdentifier`, as `sign-file -k` writes: no signer name
        // (kmod shows nothing of such a signature), the key id is the certificate's
        // subjectKeyIdentifier.
        (SKID, skid) => (String::new(), skid.to_vec()),
        (tag, _) => return Err(format!("SignerInfo sid: tag {tag:#04x}")),
    };
    let mut alg = Der::new(si.expect(SEQUENCE, "digestAlgorithm")?);
    let hash = digest_name(alg.expect(OID, "digestAlgorithm")?)?;
    Ok(Pkcs7 {
        signer,
        serial,
        hash,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A DER element (short or long form length).
    fn tlv(tag: u8, c: &[u8]) -> Vec<u8> {
        let mut v = vec![tag];
        if c.len() < 0x80 {
            v.push(c.len() as u8);
        } else if c.len() < 0x100 {
            v.extend([0x81, c.len() as u8]);
        } else {
            v.extend([0x82, (c.len() >> 8) as u8, c.len() as u8]);
        }
        v.extend_from_slice(c);
        v
    }

    fn cat(parts: &[Vec<u8>]) -> Vec<u8> {
        parts.concat()
    }

    /// A PKCS#7 message shaped as sign-file's, with the fields given.
    fn message(issuer: Vec<u8>, serial: &[u8], digest_oid: &[u8]) -> Vec<u8> {
        message_sid(
            tlv(SEQUENCE, &cat(&[issuer, tlv(INTEGER, serial)])),
            digest_oid,
        )
    }

    /// The same with the SignerInfo's `sid` given.
    fn message_sid(sid: Vec<u8>, digest_oid: &[u8]) -> Vec<u8> {
        let alg = tlv(SEQUENCE, &cat(&[tlv(OID, digest_oid), tlv(0x05, &[])]));
        let si = tlv(
            SEQUENCE,
            &cat(&[
                tlv(INTEGER, &[1]),
                sid,
                alg.clone(),
                tlv(
                    SEQUENCE,
                    &cat(&[
                        tlv(OID, &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 1, 1]),
                        tlv(0x05, &[]),
                    ]),
                ),
                tlv(0x04, &[0x5a; 200]),
            ]),
        );
        let sd = tlv(
            SEQUENCE,
            &cat(&[
                tlv(INTEGER, &[1]),
                tlv(SET, &alg),
                tlv(
                    SEQUENCE,
                    &tlv(OID, &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 7, 1]),
                ),
                tlv(SET, &si),
            ]),
        );
        tlv(
            SEQUENCE,
            &cat(&[tlv(OID, OID_SIGNED_DATA), tlv(CONTEXT_0, &sd)]),
        )
    }

    fn name(attrs: &[(&[u8], &[u8])]) -> Vec<u8> {
        let rdns: Vec<Vec<u8>> = attrs
            .iter()
            .map(|(oid, v)| tlv(SET, &tlv(SEQUENCE, &cat(&[tlv(OID, oid), tlv(0x0c, v)]))))
            .collect();
        tlv(SEQUENCE, &rdns.concat())
    }

    const SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
    const ORG: &[u8] = &[0x55, 0x04, 0x0a];

    /// `module` with `sig` appended as sign-file appends it.
    fn signed(module: &[u8], sig: &[u8]) -> Vec<u8> {
        let mut f = module.to_vec();
        f.extend_from_slice(sig);
        f.extend([0, 0, 2, 0, 0, 0, 0, 0]);
        f.extend((sig.len() as u32).to_be_bytes());
        f.extend_from_slice(MAGIC);
        f
    }

    #[test]
    fn unsigned() {
        assert_eq!(Signature::parse(b""), Signature::Unsigned);
        assert_eq!(Signature::parse(b"\x7fELF...."), Signature::Unsigned);
        // The magic without its newline is no signature.
        assert_eq!(
            Signature::parse(&MAGIC[..MAGIC.len() - 1]),
            Signature::Unsigned
        );
    }

    #[test]
    fn pkcs7_fields() {
        let msg = message(
            name(&[
                (ORG, b"Lab"),
                (OID_COMMON_NAME, b"Build time autogenerated kernel key"),
            ]),
            &[0x00, 0x9c, 0x01, 0xfe],
            SHA256,
        );
        assert_eq!(
            Signature::parse(&signed(b"\x7fELF module", &msg)),
            Signature::Signed {
                sig_id: "PKCS#7".into(),
                signer: "Build time autogenerated kernel key".into(),
                sig_key: "9C:01:FE".into(),
                sig_hashalgo: "sha256".into(),
            }
        );
    }

    #[test]
    fn kmod_quirks() {
        // No common name: kmod shows the last attribute. A negative serial: its magnitude.
        // An unknown digest: dotted.
        let msg = message(
            name(&[(ORG, b"Lab"), (&[0x55, 0x04, 0x07], b"Town")]),
            &[0xff, 0x00],
            &[0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x01],
        );
        match Signature::parse(&signed(b"m", &msg)) {
            Signature::Signed {
                signer,
                sig_key,
                sig_hashalgo,
                ..
            } => {
                assert_eq!(signer, "Town");
                assert_eq!(sig_key, "01:00");
                assert_eq!(sig_hashalgo, "1.3.6.1.4.1.311.1");
            }
            s => panic!("{s:?}"),
        }
        assert_eq!(magnitude(&[0, 0, 0]), Vec::<u8>::new());
        assert_eq!(magnitude(&[0x80]), vec![0x80]);
        assert_eq!(magnitude(&[0xff]), vec![0x01]);
    }

    /// Signatures made by the kernel's sign-file (`tests/fixtures/signature/README`); the
    /// values are what kmod's `modinfo -F` printed for them.
    #[test]
    fn real_signatures() {
        for (file, signer, sig_key, hash) in [
            (
                "a256.sig",
                "Build time autogenerated kernel key",
                "1A:D4:EF:A3:42:E1:73:A8:8A:27:82:A9:A0:FD:93:2A:34:CF:2D:AD",
                "sha256",
            ),
            (
                "b512.sig",
                "klp test signer \u{2713}",
                "69:DB:0B:E9:46:BF:21:A4:FD:16:1B:29:59:54:D6:0E:EE:2B:C1:BA",
                "sha512",
            ),
            ("c384.sig", "ec signer", "FF:01:02", "sha384"),
        ] {
            // Relative to the package's root, where `cargo test` runs its tests.
            let path = std::path::Path::new("tests/fixtures/signature").join(file);
            let sig = std::fs::read(path).unwrap();
            let module = [b"\x7fELF, the module".as_slice(), &sig].concat();
            assert_eq!(
                Signature::parse(&module),
                Signature::Signed {
                    sig_id: "PKCS#7".into(),
                    signer: signer.into(),
                    sig_key: sig_key.into(),
                    sig_hashalgo: hash.into(),
                },
                "{file}"
            );
            // The message without its last byte (sig_len kept): unreadable, no panic.
            let n = sig.len() - MAGIC.len() - INFO_LEN;
            let cut = [&module[..module.len() - sig.len() + n - 1], &sig[n..]].concat();
            assert!(matches!(
                Signature::parse(&cut),
                Signature::Unreadable { .. }
            ));
        }
    }

    #[test]
    fn subject_key_identifier() {
        // sign-file -k: the key by subjectKeyIdentifier, no signer name.
        let msg = message_sid(tlv(SKID, &[0x53, 0x74, 0xb3]), SHA256);
        assert_eq!(
            Signature::parse(&signed(b"m", &msg)),
            Signature::Signed {
                sig_id: "PKCS#7".into(),
                signer: "".into(),
                sig_key: "53:74:B3".into(),
                sig_hashalgo: "sha256".into(),
            }
        );
        let bad = message_sid(tlv(0x81, &[1]), SHA256);
        assert!(unreadable(&signed(b"m", &bad)).contains("SignerInfo sid: tag 0x81"));
    }

    #[test]
    fn indefinite_lengths() {
        // BER: the outer SEQUENCE and [0] with indefinite lengths.
        let msg = message(name(&[(OID_COMMON_NAME, b"k")]), &[7], SHA256);
        let mut ber = vec![SEQUENCE, 0x80];
        ber.extend(tlv(OID, OID_SIGNED_DATA));
        ber.extend([CONTEXT_0, 0x80]);
        // The SignedData of `msg`: after the outer header, the OID and the [0] header.
        let mut d = Der::new(&msg);
        let mut ci = Der::new(d.expect(SEQUENCE, "").unwrap());
        ci.expect(OID, "").unwrap();
        ber.extend_from_slice(ci.expect(CONTEXT_0, "").unwrap());
        ber.extend([0, 0, 0, 0]);
        match Signature::parse(&signed(b"m", &ber)) {
            Signature::Signed { signer, .. } => assert_eq!(signer, "k"),
            s => panic!("{s:?}"),
        }
    }

    #[test]
    fn old_formats() {
        // id_type X509 (1), sha1 (2): signer and key id precede the signature.
        let mut f = b"module".to_vec();
        f.extend(b"signer");
        f.extend([0xab, 0xcd]);
        f.extend([9; 5]);
        f.extend([1, 2, 1, 6, 2, 0, 0, 0, 0, 0, 0, 5]);
        f.extend_from_slice(MAGIC);
        assert_eq!(
            Signature::parse(&f),
            Signature::Signed {
                sig_id: "X509".into(),
                signer: "signer".into(),
                sig_key: "AB:CD".into(),
                sig_hashalgo: "sha1".into(),
            }
        );
    }

    #[test]
    fn refusals() {
        let signed = Signature::Signed {
            sig_id: "PKCS#7".into(),
            signer: "Build time autogenerated kernel key".into(),
            sig_key: "2E:46".into(),
            sig_hashalgo: "sha256".into(),
        };
        let r = refusal("a.ko", libc::EKEYREJECTED, &Signature::Unsigned, None).unwrap();
        assert!(
            r.starts_with("the kernel refused a.ko (Key was rejected by service")
                && r.contains("): it is not signed, and this kernel loads only signed modules")
                && r.contains("; sign it with the kernel's key: `make modules` signs with ")
                && !r.contains('\n'),
            "{r}"
        );
        let r = refusal("a.ko", libc::EKEYREJECTED, &signed, None).unwrap();
        assert!(
            r.contains(
                "it is signed by Build time autogenerated kernel key (key 2E:46, sha256): the \
                 kernel does not trust that key, or the file changed after signing"
            ),
            "{r}"
        );
        let bad = Signature::Unreadable {
            error: "sig_len is 0".into(),
        };
        assert!(refusal("a.ko", libc::EBADMSG, &bad, None)
            .unwrap()
            .contains("its signature is malformed: sig_len is 0"));
        assert!(refusal("a.ko", libc::ENOPKG, &signed, None)
            .unwrap()
            .contains("its signature (PKCS#7, sha256) is of a type"));
        // EPERM is a signature refusal only under lockdown.
        assert_eq!(
            refusal("a.ko", libc::EPERM, &Signature::Unsigned, None),
            None
        );
        assert!(
            refusal("a.ko", libc::EPERM, &Signature::Unsigned, Some("integrity"))
                .unwrap()
                .contains("it is not signed, and the kernel is locked down (integrity)")
        );
        // Not a signature answer.
        assert_eq!(
            refusal("a.ko", libc::EBADMSG, &Signature::Unsigned, None),
            None
        );
        assert_eq!(refusal("a.ko", libc::ENOENT, &signed, None), None);
    }

    fn unreadable(f: &[u8]) -> String {
        match Signature::parse(f) {
            Signature::Unreadable { error } => error,
            s => panic!("{s:?}"),
        }
    }

    #[test]
    fn malformed() {
        let msg = message(name(&[(OID_COMMON_NAME, b"k")]), &[1], SHA256);
        let good = signed(b"module", &msg);
        // Only the magic, or too little before it.
        assert!(unreadable(MAGIC).contains("no room"));
        assert!(unreadable(&good[good.len() - MAGIC.len() - 5..]).contains("no room"));
        // sig_len larger than the file, or 0.
        let mut f = good.clone();
        let at = f.len() - MAGIC.len() - 4;
        f[at..at + 4].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(unreadable(&f).contains("exceeds"), "{}", unreadable(&f));
        f[at..at + 4].copy_from_slice(&[0; 4]);
        assert!(unreadable(&f).contains("sig_len is 0"));
        // Non-zero params with PKCS#7.
        let mut f = good.clone();
        f[at - 5] = 1;
        assert!(unreadable(&f).contains("non-zero params"));
        // Unknown id_type.
        let mut f = good.clone();
        f[at - 6] = 7;
        assert!(unreadable(&f).contains("unknown signature type"));
        // Every truncation of the message, and every byte changed: no panic; a truncated
        // message is unreadable.
        for n in 0..msg.len() {
            let s = Signature::parse(&signed(b"module", &msg[..n]));
            assert!(matches!(s, Signature::Unreadable { .. }), "{n}: {s:?}");
        }
        for i in 0..msg.len() {
            for v in [0x00, 0x80, 0xff, 0x1f, 0x30] {
                let mut m = msg.clone();
                m[i] = v;
                let _ = Signature::parse(&signed(b"module", &m));
            }
        }
        // Not signedData; deep nesting of indefinite lengths.
        let other = tlv(
            SEQUENCE,
            &cat(&[
                tlv(OID, &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 7, 1]),
                tlv(CONTEXT_0, &[]),
            ]),
        );
        assert!(unreadable(&signed(b"m", &other)).contains("not signedData"));
        let deep = [SEQUENCE, 0x80].repeat(1000);
        assert!(unreadable(&signed(b"m", &deep)).contains("nested too deeply"));
    }
}
