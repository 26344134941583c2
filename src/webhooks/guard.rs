//! The URL guard: a webhook may only reach the public internet, over HTTPS. Checked when an
//! endpoint is saved and again at every connection: the delivery client resolves the name
//! itself, refuses every answer that holds a non-public address and connects to the address
//! it checked (so a name that later resolves to 127.0.0.1 gains nothing).
//! `KRIYA_WEBHOOK_ALLOW_PRIVATE=true` lifts both rules for development and tests.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

/// The longest URL an endpoint may have.
pub const MAX_URL_LEN: usize = 2000;

/// Whether an address belongs to the public internet: not loopback, private, shared
/// (carrier-grade NAT), link-local, multicast, broadcast, documentation, benchmarking,
/// reserved or unspecified. An IPv6 address must be global unicast (2000::/3) outside the
/// special ranges; one that carries an IPv4 address a router would reach (IPv4-mapped
/// `::ffff:0:0/96`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) is judged by that IPv4 address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let s = v6.segments();
            let v4 = |hi: u16, lo: u16| {
                let [a, b] = hi.to_be_bytes();
                let [c, d] = lo.to_be_bytes();
                Ipv4Addr::new(a, b, c, d)
            };
            if s[0] == 0x64 && s[1] == 0xff9b {
                // NAT64's well-known prefix 64:ff9b::/96 carries an IPv4 address in its last
                // 32 bits. The local-use prefix 64:ff9b:1::/48 (RFC 8215) maps into whatever
                // the network chooses, and the rest of 64:ff9b::/32 is unassigned: refused.
                return s[2..6] == [0, 0, 0, 0] && is_public_v4(v4(s[6], s[7]));
            }
            if s[0] == 0x2002 {
                // 6to4: the relay sends it on to the IPv4 address in bits 16–48.
                return is_public_v4(v4(s[1], s[2]));
            }
            // Outside global unicast 2000::/3 lie loopback, unspecified, IPv4-compatible and
            // -translated (::/8), discard-only (100::/64), segment routing (5f00::/16), unique
            // local (fc00::/7), link-local (fe80::/10), multicast (ff00::/8) and the unassigned.
            let global_unicast = (s[0] & 0xe000) == 0x2000;
            let special = match s[0] {
                // IETF protocol assignments 2001::/23 (Teredo 2001::/32 among them) and
                // documentation 2001:db8::/32.
                0x2001 => s[1] < 0x0200 || s[1] == 0x0db8,
                // Documentation 3fff::/20.
                0x3fff => s[1] < 0x1000,
                _ => false,
            };
            global_unicast && !special
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_unspecified()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // shared address space 100.64/10
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments 192.0.0/24
        || (a == 198 && (b == 18 || b == 19)) // benchmarking 198.18/15
        || a >= 240) // reserved 240/4
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UrlProblem {
    #[error("is not a URL")]
    Malformed,
    #[error("must be at most {MAX_URL_LEN} characters")]
    TooLong,
    #[error("must use https://")]
    NotHttps,
    #[error("must not carry a user name or password")]
    Credentials,
    #[error("must not have a #fragment")]
    Fragment,
    #[error("must name a host")]
    NoHost,
    #[error("resolves to {0}, which is not a public address")]
    NotPublic(IpAddr),
    #[error("does not resolve: {0}")]
    Unresolved(String),
}

/// Checks what can be checked without the network: scheme, shape, and a literal address.
pub fn check_shape(raw: &str, allow_private: bool) -> Result<Url, UrlProblem> {
    if raw.len() > MAX_URL_LEN {
        return Err(UrlProblem::TooLong);
    }
    let url = Url::parse(raw).map_err(|_| UrlProblem::Malformed)?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err(UrlProblem::NotHttps),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UrlProblem::Credentials);
    }
    if url.fragment().is_some() {
        return Err(UrlProblem::Fragment);
    }
    match url.host() {
        None => Err(UrlProblem::NoHost),
        Some(Host::Ipv4(v4)) => literal(IpAddr::V4(v4), allow_private).map(|()| url),
        Some(Host::Ipv6(v6)) => literal(IpAddr::V6(v6), allow_private).map(|()| url),
        Some(Host::Domain(_)) => Ok(url),
    }
}

fn literal(ip: IpAddr, allow_private: bool) -> Result<(), UrlProblem> {
    if allow_private || is_public(ip) {
        Ok(())
    } else {
        Err(UrlProblem::NotPublic(ip))
    }
}

/// The addresses `host` resolves to, every one public (unless private ones are allowed).
pub async fn resolve_checked(
    host: &str,
    port: u16,
    allow_private: bool,
) -> Result<Vec<SocketAddr>, UrlProblem> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| UrlProblem::Unresolved(e.to_string()))?
        .collect();
    if addrs.is_empty() {
        return Err(UrlProblem::Unresolved("no address".to_owned()));
    }
    if !allow_private && let Some(bad) = addrs.iter().find(|a| !is_public(a.ip())) {
        return Err(UrlProblem::NotPublic(bad.ip()));
    }
    Ok(addrs)
}

/// The full check of a URL being saved: its shape, then (for a name) what it resolves to now.
pub async fn check_url(raw: &str, allow_private: bool) -> Result<Url, UrlProblem> {
    let url = check_shape(raw, allow_private)?;
    if let Some(Host::Domain(name)) = url.host() {
        let port = url.port_or_known_default().unwrap_or(443);
        resolve_checked(name, port, allow_private).await?;
    }
    Ok(url)
}

/// The delivery client's resolver: every connection's name goes through the guard, and the
/// connection is made to the addresses it approved.
#[derive(Clone)]
pub struct GuardedResolver {
    pub allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let addrs = resolve_checked(name.as_str(), 0, allow_private)
                .await
                .map_err(|e| -> Box<dyn std::error::Error + Send + Sync> { Box::new(e) })?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// The HTTP client deliveries go through: no redirects, 10 s per attempt, the guarded
/// resolver, no proxy (a proxy would resolve names where the guard cannot see).
pub fn client(allow_private: bool, timeout: std::time::Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .connect_timeout(timeout)
        .no_proxy()
        .dns_resolver(Arc::new(GuardedResolver { allow_private }))
        .user_agent(concat!("Kriya-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("the webhook client's settings are valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(raw: &str) -> UrlProblem {
        check_shape(raw, false).unwrap_err()
    }

    #[test]
    fn non_public_addresses_are_recognised() {
        for ip in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "198.18.0.1",
            "192.0.0.8",
            "240.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.1.2.3",
            "64:ff9b::a00:1",
            "2001:db8::1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip} counted as public");
        }
        for ip in [
            "8.8.8.8",
            "103.10.20.30",
            "2606:4700::1111",
            "::ffff:1.1.1.1",
        ] {
            assert!(is_public(ip.parse().unwrap()), "{ip} counted as not public");
        }
    }

    fn judged(ips: &[&str], public: bool) {
        for ip in ips {
            assert_eq!(
                is_public(ip.parse().unwrap()),
                public,
                "{ip} counted as {}",
                if public { "not public" } else { "public" }
            );
        }
    }

    #[test]
    fn six_to_four_is_judged_by_the_ipv4_address_it_carries() {
        // 2002::/16 holds an IPv4 address in bits 16–48.
        judged(
            &[
                "2002:7f00:1::1",    // 127.0.0.1
                "2002:a00:1::",      // 10.0.0.1
                "2002:ac10:504::1",  // 172.16.5.4
                "2002:c0a8:101::1",  // 192.168.1.1
                "2002:a9fe:a9fe::1", // 169.254.169.254
                "2002:6440:1::1",    // 100.64.0.1
                "2002::1",           // 0.0.0.0
                "2002:e000:1::1",    // 224.0.0.1
                "2002:ffff:ffff::1", // 255.255.255.255
            ],
            false,
        );
        judged(&["2002:808:808::1", "2002:670a:141e:1::1"], true); // 8.8.8.8, 103.10.20.30
    }

    #[test]
    fn nat64_is_judged_by_its_ipv4_address_and_the_local_use_prefix_is_refused() {
        // The well-known prefix 64:ff9b::/96 carries an IPv4 address in its last 32 bits.
        judged(
            &["64:ff9b::7f00:1", "64:ff9b::a00:1", "64:ff9b::a9fe:a9fe"],
            false,
        );
        judged(&["64:ff9b::808:808"], true);
        // The local-use prefix 64:ff9b:1::/48 (RFC 8215) maps into a network's own space
        // however it likes, and the rest of 64:ff9b::/32 is not allocated: never public.
        judged(
            &[
                "64:ff9b:1::808:808",
                "64:ff9b:1::7f00:1",
                "64:ff9b:1:abcd::1",
                "64:ff9b:1:ffff:ffff:ffff:ffff:ffff",
                "64:ff9b:2::808:808",
            ],
            false,
        );
    }

    #[test]
    fn other_addresses_around_ipv4_and_special_ranges_are_refused() {
        judged(
            &[
                // Teredo 2001::/32, whatever server or client it names.
                "2001::1",
                "2001:0:4136:e378:8000:63bf:3fff:fdd2",
                // IPv4-mapped ::ffff:0:0/96 around a private address.
                "::ffff:192.168.0.1",
                "::ffff:169.254.169.254",
                // IPv4-compatible ::/96 (deprecated), even around a public address.
                "::127.0.0.1",
                "::8.8.8.8",
                // IPv4-translated ::ffff:0:0:0/96.
                "::ffff:0:808:808",
                // Documentation 3fff::/20 (RFC 9637) and segment routing 5f00::/16 (RFC 9602).
                "3fff::1",
                "3fff:fff:ffff::1",
                "5f00::1",
                // Outside global unicast 2000::/3: not assigned to anyone on the internet.
                "4000::1",
                "8000::1",
                "e000::1",
            ],
            false,
        );
        judged(
            &["::ffff:8.8.8.8", "2400:cb00::1", "2a00:1450:4001::1"],
            true,
        );
    }

    #[test]
    fn only_https_to_a_public_host_is_accepted() {
        assert!(check_shape("https://hooks.example.com/kriya", false).is_ok());
        assert!(check_shape("https://8.8.8.8/x", false).is_ok());
        assert_eq!(refused("http://hooks.example.com/"), UrlProblem::NotHttps);
        assert_eq!(refused("ftp://hooks.example.com/"), UrlProblem::NotHttps);
        assert_eq!(refused("not a url"), UrlProblem::Malformed);
        assert!(matches!(
            refused("https://127.0.0.1/"),
            UrlProblem::NotPublic(_)
        ));
        assert!(matches!(
            refused("https://[::1]/"),
            UrlProblem::NotPublic(_)
        ));
        assert!(matches!(
            refused("https://10.0.0.1/"),
            UrlProblem::NotPublic(_)
        ));
        assert!(matches!(
            refused("https://169.254.169.254/latest/meta-data"),
            UrlProblem::NotPublic(_)
        ));
        // Other spellings of loopback are parsed to the address first.
        assert!(matches!(
            refused("https://2130706433/"),
            UrlProblem::NotPublic(_)
        ));
        assert!(matches!(
            refused("https://0x7f.1/"),
            UrlProblem::NotPublic(_)
        ));
        assert_eq!(refused("https://u:p@example.com/"), UrlProblem::Credentials);
        assert_eq!(refused("https://example.com/#x"), UrlProblem::Fragment);
        assert_eq!(
            refused(&format!("https://e.com/{}", "a".repeat(MAX_URL_LEN))),
            UrlProblem::TooLong
        );
    }

    #[test]
    fn the_flag_allows_plain_http_and_private_addresses() {
        assert!(check_shape("http://127.0.0.1:9000/hook", true).is_ok());
        assert!(check_shape("http://[::1]:9000/hook", true).is_ok());
        assert_eq!(
            check_shape("ftp://127.0.0.1/", true).unwrap_err(),
            UrlProblem::NotHttps
        );
    }

    #[tokio::test]
    async fn a_name_resolving_to_loopback_is_refused() {
        let refused = check_url("https://localhost/hook", false)
            .await
            .unwrap_err();
        assert!(matches!(refused, UrlProblem::NotPublic(_)), "{refused:?}");
        assert!(check_url("https://localhost/hook", true).await.is_ok());
    }
}
