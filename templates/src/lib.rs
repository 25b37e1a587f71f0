//! Simlontar's views: pure functions from view data to maud `Markup`. No I/O here.
pub mod auth;
pub mod break_glass;
pub mod capacity;
pub mod capacity_svg;
pub mod cases;
pub mod confirm;
pub mod correct;
pub mod decongest;
pub mod golive;
pub mod i18n;
pub mod identity;
pub mod intake;
pub mod layout;
pub mod mail;
pub mod mailbox;
pub mod ops;
pub mod pages;
pub mod receiving;
pub mod reports;
pub mod routing;
pub mod routing_plan;
pub mod shelter;
pub mod tasks;
pub mod wards;
pub mod worklist;

pub use i18n::Lang;

/// The stylesheet, served by the app at /static/app.css (no CDN: the machines are offline).
pub const APP_CSS: &str = include_str!("../static/app.css");
/// The one script: wires `[data-print]` buttons to the browser's print (the CSP allows
/// only scripts served by the app, no inline handlers).
pub const PRINT_JS: &str = include_str!("../static/print.js");
/// The intake desk's enhancements: the phone's location and photos shrunk before upload.
pub const INTAKE_JS: &str = include_str!("../static/intake.js");
/// The service worker that keeps the desk usable with no signal (served at /static/sw.js).
pub const SW_JS: &str = include_str!("../static/sw.js");
