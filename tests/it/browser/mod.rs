//! The three users' journeys in a real browser: Debian's headless Chromium driven through
//! chromedriver (WebDriver) at a 360 × 800 phone screen, against the app served on a
//! random port. Every page a journey visits is checked for horizontal overflow and with
//! axe-core (WCAG 2.x A and AA rules); a screenshot of each step is saved as
//! target/artifacts/<journey>-<step>.png. One browser at a time: the machines that run
//! the suite have two cores, and two Chromiums starting together time out.
mod admission;
mod correction;
mod golive;
mod handover_print;
mod home_journey;
mod intake_desk;
mod intake_offline;
mod receiving_office;
mod repatriation;
mod reports;
mod tasks;
mod vocabulary;
mod wall;
mod wards;
mod worklist;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};
use tokio::sync::{Mutex, MutexGuard};

use crate::common::PASSWORD;

/// The phone the pages must work on.
const PHONE: (u32, u32) = (360, 800);
/// An office desktop.
pub const DESKTOP: (u32, u32) = (1366, 900);

static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A browser session for one journey.
pub struct Browser {
    pub c: Client,
    journey: &'static str,
    /// The viewport: `PHONE` unless started with [`Browser::start_sized`].
    size: (u32, u32),
    _driver: Driver,
    _turn: MutexGuard<'static, ()>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn artifacts() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/artifacts")
}

/// A poppler tool's output (pdftotext, pdftoppm: printed pages are read and drawn with
/// them), or a clear word on what is missing.
pub fn poppler(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} is missing ({e}): install poppler-utils"));
    assert!(
        out.status.success(),
        "{tool}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// axe-core's source, installed from npm by `.ci/test` (pinned in tests/browser/).
fn axe_source() -> &'static str {
    static AXE: OnceLock<String> = OnceLock::new();
    AXE.get_or_init(|| {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/browser/node_modules/axe-core/axe.min.js");
        std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "axe-core is missing at {} ({e}): run `npm ci` in tests/browser \
                 (the project's test command .ci/test does)",
                path.display()
            )
        })
    })
}

impl Browser {
    pub async fn start(journey: &'static str) -> Browser {
        Browser::start_sized(journey, PHONE).await
    }

    /// A browser with another viewport (a desktop's), for pages read at a desk too.
    pub async fn start_sized(journey: &'static str, size: (u32, u32)) -> Browser {
        let turn = ONE_AT_A_TIME.lock().await;
        let port = free_port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is installed by .ci/test (Debian package chromium-driver)");
        let driver = Driver(child);
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": "/usr/bin/chromium",
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--disable-background-networking", "--disable-component-update",
                         "--disable-sync", "--no-first-run", "--hide-scrollbars"],
                // A phone's viewport, with the page's meta viewport honoured.
                "mobileEmulation": {"deviceMetrics": {"width": size.0, "height": size.1, "pixelRatio": 1.0}}
            }),
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        let c = loop {
            let attempt = ClientBuilder::new(HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await;
            match attempt {
                Ok(c) => break c,
                Err(e) if Instant::now() > deadline => panic!("no WebDriver session: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        };
        std::fs::create_dir_all(artifacts()).unwrap();
        Browser {
            c,
            journey,
            size,
            _driver: driver,
            _turn: turn,
        }
    }

    pub async fn goto(&self, url: &str) {
        self.c.goto(url).await.unwrap();
    }

    /// Saves the step's screenshot, then checks the page: it fits the screen's width, its
    /// controls fit a thumb on the phone, and axe-core finds no WCAG 2.x A/AA violation.
    pub async fn step(&self, step: &str) {
        let png = self.c.screenshot().await.unwrap();
        std::fs::write(
            artifacts().join(format!("{}-{step}.png", self.journey)),
            png,
        )
        .unwrap();
        let problems = self.layout_problems().await;
        assert!(
            problems.is_empty(),
            "{}-{step}: {}",
            self.journey,
            problems.join("; ")
        );
        self.accessible(step).await;
    }

    /// What is wrong with the page's layout at this size: wider than the screen, or (on the
    /// phone) controls too small for a thumb.
    pub async fn layout_problems(&self) -> Vec<String> {
        let mut problems = self.fits_the_screen().await;
        if self.size == PHONE {
            problems.extend(self.fingers_fit().await);
        }
        problems
    }

    /// On the phone every control is at least 44 px tall (a thumb, WCAG 2.5.5): buttons,
    /// fields, choices (a radio or box counts by its label), and the header's links. Links
    /// inside running text are exempt, as WCAG exempts them.
    async fn fingers_fit(&self) -> Vec<String> {
        let small = self
            .c
            .execute(
                "const visible = e => { const r = e.getBoundingClientRect();
                   return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'; };
                 const box = e => (e.matches('input[type=radio], input[type=checkbox]') && e.closest('label'))
                   ? e.closest('label') : e;
                 const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                   + (e.name ? '[name=' + e.name + ']' : '')
                   + ' «' + (e.textContent || e.value || '').trim().slice(0, 24) + '»';
                 return [...document.querySelectorAll(
                     'button, select, textarea, summary, header a, nav a, a.button, '
                     + 'input:not([type=hidden]):not([type=image])')]
                   .filter(visible)
                   .filter(e => !e.closest('svg'))
                   .map(e => [e, box(e).getBoundingClientRect().height])
                   .filter(([, h]) => h < 43.5)
                   .slice(0, 8)
                   .map(([e, h]) => name(e) + ' ' + Math.round(h) + ' px');",
                vec![],
            )
            .await
            .unwrap();
        if small.as_array().unwrap().is_empty() {
            vec![]
        } else {
            vec![format!("controls under 44 px tall on a phone: {small}")]
        }
    }

    /// Nothing reaches past the screen's right edge (no sideways scrolling).
    async fn fits_the_screen(&self) -> Vec<String> {
        let r = self
            .c
            .execute(
                "const w = document.documentElement.clientWidth;
                 const wide = [...document.querySelectorAll('body *')]
                   .filter(e => e.getBoundingClientRect().right > w + 1)
                   .slice(0, 5)
                   .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                             + (e.className && e.className.baseVal === undefined ? '.' + e.className : ''));
                 return [document.documentElement.scrollWidth, w, wide];",
                vec![],
            )
            .await
            .unwrap();
        let (scroll, width) = (r[0].as_i64().unwrap(), r[1].as_i64().unwrap());
        if width != self.size.0 as i64 {
            return vec![format!(
                "laid out {width} px wide on a {} px screen (no viewport meta?)",
                self.size.0
            )];
        }
        if scroll <= width {
            vec![]
        } else {
            vec![format!(
                "the page is {scroll} px wide on a {width} px screen; too wide: {}",
                r[2]
            )]
        }
    }

    async fn accessible(&self, step: &str) {
        let loaded = self
            .c
            .execute(&format!("{}\nreturn typeof axe;", axe_source()), vec![])
            .await
            .unwrap();
        assert_eq!(loaded, "object", "axe-core did not load");
        let violations = self
            .c
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, {runOnly: {type: 'tag',
                     values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})
                   .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' — ' + n.failureSummary)}))))
                   .catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));",
                vec![],
            )
            .await
            .unwrap();
        let list = violations.as_array().unwrap();
        assert!(
            list.is_empty(),
            "{}-{step}: axe-core finds {} violation(s):\n{}",
            self.journey,
            list.len(),
            serde_json::to_string_pretty(&violations).unwrap()
        );
    }

    pub async fn find(&self, css: &str) -> Element {
        self.c
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
    }

    /// The visible text of an element, read again if a page that was still loading
    /// replaced it meanwhile.
    pub async fn text(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self.find(css).await.text().await {
                Ok(t) => return t,
                Err(e) if Instant::now() > deadline => panic!("{css}: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// The visible text of the page's main part.
    pub async fn main_text(&self) -> String {
        self.text("main").await
    }

    /// Clicks a control, after checking it lies within the phone's width.
    pub async fn click(&self, css: &str) {
        let e = self.find(css).await;
        let inside = self
            .c
            .execute(
                "const e = arguments[0]; e.scrollIntoView({block: 'center'});
                 const r = e.getBoundingClientRect();
                 return r.width > 0 && r.left >= 0 && r.right <= document.documentElement.clientWidth;",
                vec![serde_json::to_value(&e).unwrap()],
            )
            .await
            .unwrap();
        assert_eq!(inside, true, "{css} is not within the phone's screen");
        e.click().await.unwrap();
    }

    pub async fn fill(&self, css: &str, value: &str) {
        let e = self.find(css).await;
        e.clear().await.unwrap();
        e.send_keys(value).await.unwrap();
    }

    /// Sets a date or time input to an ISO value (`2026-11-24`, `08:00`): typed keys go
    /// through the browser's locale format, which differs between machines.
    pub async fn set_value(&self, css: &str, value: &str) {
        self.find(css).await;
        self.c
            .execute(
                "const e = document.querySelector(arguments[0]); e.value = arguments[1];
                 e.dispatchEvent(new Event('input', {bubbles: true}));
                 e.dispatchEvent(new Event('change', {bubbles: true}));",
                vec![json!(css), json!(value)],
            )
            .await
            .unwrap();
    }

    /// Picks an option of a drop-down list, as a click on it does.
    pub async fn choose(&self, select: &str, value: &str) {
        self.click(select).await;
        self.find(&format!("{select} option[value='{value}']"))
            .await
            .click()
            .await
            .unwrap();
    }

    /// Presses one key, as a keyboard does (to whatever has the focus).
    pub async fn press(&self, key: Key) {
        let k = char::from(key);
        self.c
            .perform_actions(
                KeyActions::new("keyboard".into())
                    .then(KeyAction::Down { value: k })
                    .then(KeyAction::Up { value: k }),
            )
            .await
            .unwrap();
    }

    /// Types text into whatever has the focus.
    pub async fn type_text(&self, text: &str) {
        let mut keys = KeyActions::new("keyboard".into());
        for ch in text.chars() {
            keys = keys
                .then(KeyAction::Down { value: ch })
                .then(KeyAction::Up { value: ch });
        }
        self.c.perform_actions(keys).await.unwrap();
    }

    /// Presses Tab until the focus is on an element matching `css` (at most 60 times),
    /// checking at each stop that the focus can be seen.
    pub async fn tab_to(&self, css: &str) {
        for _ in 0..60 {
            self.press(Key::Tab).await;
            let at: Value = self
                .c
                .execute(
                    "const e = document.activeElement, s = getComputedStyle(e);
                     const seen = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2)
                                  || s.boxShadow !== 'none';
                     return [e.matches(arguments[0]), seen, e.outerHTML.slice(0, 120)];",
                    vec![json!(css)],
                )
                .await
                .unwrap();
            assert_eq!(at[1], true, "the focus cannot be seen on {}", at[2]);
            if at[0] == true {
                return;
            }
        }
        panic!("{css} cannot be reached with the Tab key");
    }

    /// Signs in with the keyboard alone and lands on `next`.
    pub async fn sign_in(&self, base: &str, username: &str, next: &str) {
        self.goto(&format!("{base}/login?next={next}")).await;
        self.step("sign-in").await;
        self.tab_to("#username").await;
        self.type_text(username).await;
        self.tab_to("#password").await;
        self.type_text(PASSWORD).await;
        self.press_and_load(Key::Enter).await;
        self.wait_for_path(next).await;
    }

    /// Clicks what loads another page (a form's button, a link) and waits until that page
    /// has loaded. The address cannot tell: a form often posts back to the page it is on.
    pub async fn click_and_load(&self, css: &str) {
        self.mark_page().await;
        self.click(css).await;
        self.wait_for_new_page().await;
    }

    /// Presses a key that submits a form, and waits for the page it loads.
    pub async fn press_and_load(&self, key: Key) {
        self.mark_page().await;
        self.press(key).await;
        self.wait_for_new_page().await;
    }

    async fn mark_page(&self) {
        self.c
            .execute("window.simlontarOldPage = true;", vec![])
            .await
            .unwrap();
    }

    /// Waits until the marked page is gone and its successor has loaded. A script run while
    /// the browser is between the two may fail: that counts as not yet.
    async fn wait_for_new_page(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let loaded = self
                .c
                .execute(
                    "return window.simlontarOldPage !== true && document.readyState === 'complete';",
                    vec![],
                )
                .await;
            if matches!(loaded, Ok(serde_json::Value::Bool(true))) {
                return;
            }
            assert!(Instant::now() < deadline, "no new page loaded");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Switches the browser's network off or on, as Chrome's DevTools do (chromedriver's
    /// `chromium/network_conditions`; fantoccini has no command for it).
    pub async fn network(&self, online: bool) {
        #[derive(Debug)]
        struct NetworkConditions(bool);
        impl fantoccini::wd::WebDriverCompatibleCommand for NetworkConditions {
            fn endpoint(
                &self,
                base: &url::Url,
                session: Option<&str>,
            ) -> Result<url::Url, url::ParseError> {
                base.join(&format!(
                    "session/{}/chromium/network_conditions",
                    session.unwrap_or_default()
                ))
            }
            fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
                let body = json!({"network_conditions": {"offline": !self.0, "latency": 0,
                    "download_throughput": -1, "upload_throughput": -1}});
                (axum::http::Method::POST, Some(body.to_string()))
            }
        }
        self.c.issue_cmd(NetworkConditions(online)).await.unwrap();
    }

    /// Waits until the browser shows the page at `path` (its query, if any, not compared).
    pub async fn wait_for_path(&self, path: &str) {
        let path = path.split_once('?').map_or(path, |(p, _)| p);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let url = self.c.current_url().await.unwrap();
            if url.path() == path {
                return;
            }
            assert!(Instant::now() < deadline, "still at {url}, not {path}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}
