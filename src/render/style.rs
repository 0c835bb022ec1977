//! Colour through semantic roles, in one place. Disabled styles print plain text.

use console::Style;

#[derive(Debug, Clone)]
pub struct Styles {
    pub heading: Style,
    pub version: Style,
    pub commit: Style,
    pub live: Style,
    pub bad: Style,
    pub warn: Style,
    pub ok: Style,
    pub hint: Style,
    pub dim: Style,
    pub added: Style,
    pub removed: Style,
}

impl Styles {
    pub fn new(enabled: bool) -> Self {
        let s = |style: Style| style.force_styling(enabled);
        Styles {
            heading: s(Style::new().bold()),
            version: s(Style::new().cyan().bold()),
            commit: s(Style::new().yellow()),
            live: s(Style::new().green().bold()),
            bad: s(Style::new().red().bold()),
            warn: s(Style::new().yellow().bold()),
            ok: s(Style::new().green()),
            hint: s(Style::new().cyan()),
            dim: s(Style::new().dim()),
            added: s(Style::new().green()),
            removed: s(Style::new().red()),
        }
    }
}
