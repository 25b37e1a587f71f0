//! The page frame every screen shares: header, navigation, language switch, main.
use maud::{html, Markup, DOCTYPE};

use crate::i18n::Lang;

/// The sections of the navigation, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Home,
    Intake,
    Cases,
    Identity,
    Routing,
    /// The receiving office's people coming to it.
    Incoming,
    /// The tasks given to the receiving office (follow-ups, family tracing).
    Tasks,
    Capacity,
    Reports,
    Admin,
}

pub struct Page<'a> {
    pub title: &'a str,
    pub lang: Lang,
    pub section: Option<Section>,
    /// The current path and query, so the language switch can come back here.
    pub path: &'a str,
    pub user: Option<&'a NavUser>,
}

/// The signed-in person as the frame shows them.
#[derive(Debug, Clone)]
pub struct NavUser {
    pub name: String,
    pub csrf: String,
    /// The sections this person may open.
    pub sections: Vec<Section>,
}

fn nav_items(lang: Lang) -> [(Section, &'static str, &'static str); 10] {
    let t = lang.t();
    [
        (Section::Home, "/", t.nav_home),
        (Section::Intake, "/intake", t.nav_intake),
        (Section::Cases, "/cases", t.nav_cases),
        (Section::Identity, "/identity", t.nav_identity),
        (Section::Routing, "/routing", t.nav_routing),
        (
            Section::Incoming,
            "/incoming",
            crate::i18n::tr(lang, "Warga datang", "Incoming"),
        ),
        (
            Section::Tasks,
            "/tasks",
            crate::i18n::tr(lang, "Tugas", "Tasks"),
        ),
        (Section::Capacity, "/capacity", t.nav_capacity),
        (
            Section::Reports,
            "/reports",
            crate::i18n::tr(lang, "Laporan", "Reports"),
        ),
        (Section::Admin, "/admin", t.nav_admin),
    ]
}

pub fn page(p: &Page, body: Markup) -> Markup {
    let t = p.lang.t();
    let other = match p.lang {
        Lang::Id => Lang::En,
        Lang::En => Lang::Id,
    };
    html! {
        (DOCTYPE)
        html lang=(p.lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (p.title) " · Simlontar" }
                link rel="stylesheet" href="/static/app.css";
            }
            body {
                a.skip href="#main" { (t.skip_to_content) }
                header.top {
                    a.brand href="/" { "Simlontar" span.tagline { (t.app_tagline) } }
                    nav aria-label="Menu" {
                        ul {
                            @for (section, href, label) in nav_items(p.lang).into_iter()
                                .filter(|(s, _, _)| p.user.is_some_and(|u| u.sections.contains(s))) {
                                li {
                                    @if p.section == Some(section) {
                                        a href=(href) aria-current="page" { (label) }
                                    } @else {
                                        a href=(href) { (label) }
                                    }
                                }
                            }
                        }
                    }
                    a.lang href={ "/lang/" (other.code()) "?back=" (urlencode(p.path)) } lang=(other.code()) {
                        (t.other_language)
                    }
                    @if let Some(u) = p.user {
                        form.signout method="post" action="/logout" {
                            input type="hidden" name="csrf" value=(u.csrf);
                            a.who href="/account/password" title=(t.change_password) { (u.name) }
                            button type="submit" { (t.sign_out) }
                        }
                    }
                }
                main #main { (body) }
            }
        }
    }
}

/// Percent-encodes a path for use inside a query value.
pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_switch_link_keeps_the_page() {
        let html = page(
            &Page {
                title: "x",
                lang: Lang::Id,
                section: Some(Section::Cases),
                path: "/cases?q=siti&page=2",
                user: Some(&NavUser {
                    name: "Siti".into(),
                    csrf: "t".into(),
                    sections: vec![Section::Cases],
                }),
            },
            html! {},
        )
        .into_string();
        assert!(html.contains(r#"href="/lang/en?back=/cases%3Fq%3Dsiti%26page%3D2""#));
        assert!(html.contains(r#"<a href="/cases" aria-current="page">Kasus</a>"#));
        assert!(html.contains(r#"<html lang="id">"#));
        assert!(
            !html.contains(r#"href="/admin""#),
            "sections the user may not open are hidden"
        );
    }
}
