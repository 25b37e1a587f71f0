//! Who is at the other end: the connecting address, or — when that is one of the
//! configured reverse proxies — the address the proxies say they were asked by. Worked
//! out once per request; throttling and the audit trail (`origin_of`, for pages and the
//! API alike) read it from here.
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;

use crate::auth::audit::Origin;
use crate::state::AppState;

/// The client's address, in the request's extensions (absent when the server was not
/// given the connection's address, as in-process tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

pub async fn resolve(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    if let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>() {
        let ip = client_ip(peer.ip(), req.headers(), &state.settings.trusted_proxies);
        req.extensions_mut().insert(ClientAddr(ip));
    }
    next.run(req).await
}

/// The requester's address (the client's, behind a trusted proxy) and request id, for
/// audit rows (also before sign-in).
pub fn origin_of(parts: &Parts, actor_id: Option<i64>) -> Origin {
    Origin {
        actor_id,
        remote_addr: parts
            .extensions
            .get::<ClientAddr>()
            .map(|c| c.0.to_string()),
        request_id: parts
            .headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(String::from),
    }
}

/// The client behind `peer`. Each trusted proxy appends the address it was asked by to
/// `X-Forwarded-For`, so the list is read from the right, through trusted hops, to the
/// first address that is not one: everything left of it was written by the client and
/// proves nothing. An untrusted peer's header is ignored altogether.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    let mut client = peer.to_canonical();
    if !is_trusted(&client) {
        return client;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    for hop in hops.iter().rev() {
        // An unreadable entry ends the trail at the proxy that passed it on.
        let Some(ip) = parse_hop(hop) else { break };
        client = ip;
        if !is_trusted(&client) {
            break;
        }
    }
    client
}

/// `203.0.113.7`, `2001:db8::1`, or either with a port (`[2001:db8::1]:443`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn xff(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let h = xff(&["198.51.100.1"]);
        assert_eq!(client_ip(ip("203.0.113.7"), &h, &[]), ip("203.0.113.7"));
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        assert_eq!(
            client_ip(ip("203.0.113.7"), &h, &trusted),
            ip("203.0.113.7"),
            "a peer that is not a proxy cannot name another client"
        );
    }

    #[test]
    fn behind_trusted_proxies_the_rightmost_untrusted_hop_is_the_client() {
        let trusted: Vec<IpNet> = vec![
            "10.0.0.0/8".parse().unwrap(),
            "192.0.2.1/32".parse().unwrap(),
        ];
        for (peer, headers, client) in [
            ("10.0.0.5", vec!["203.0.113.7"], "203.0.113.7"),
            // What the client wrote itself is left of what the proxy appended.
            ("10.0.0.5", vec!["1.1.1.1, 203.0.113.7"], "203.0.113.7"),
            ("10.0.0.5", vec!["1.1.1.1", "203.0.113.7"], "203.0.113.7"),
            // Through two proxies.
            (
                "10.0.0.5",
                vec!["1.1.1.1, 203.0.113.7, 192.0.2.1"],
                "203.0.113.7",
            ),
            ("10.0.0.5", vec!["203.0.113.7:51000"], "203.0.113.7"),
            ("10.0.0.5", vec!["[2001:db8::7]:443"], "2001:db8::7"),
            ("::ffff:10.0.0.5", vec!["::ffff:203.0.113.7"], "203.0.113.7"),
            // Nothing forwarded, or nothing readable: the proxy itself.
            ("10.0.0.5", vec![], "10.0.0.5"),
            ("10.0.0.5", vec!["unknown"], "10.0.0.5"),
            ("10.0.0.5", vec!["1.1.1.1, garbage, 10.0.0.9"], "10.0.0.9"),
            // Only proxies: the farthest one.
            ("10.0.0.5", vec!["10.0.0.8, 10.0.0.9"], "10.0.0.8"),
        ] {
            assert_eq!(
                client_ip(ip(peer), &xff(&headers), &trusted),
                ip(client),
                "{peer} {headers:?}"
            );
        }
    }
}
