//! Aligned plain-text tables whose cells may be styled; widths ignore colour codes.

use console::{Style, measure_text_width};

pub struct Cell {
    pub text: String,
    pub style: Option<Style>,
}

impl Cell {
    pub fn plain(text: impl Into<String>) -> Self {
        Cell {
            text: text.into(),
            style: None,
        }
    }
    pub fn styled(text: impl Into<String>, style: &Style) -> Self {
        Cell {
            text: text.into(),
            style: Some(style.clone()),
        }
    }
}

/// Renders rows under a header; the last column is not padded.
pub fn render(header: &[&str], rows: &[Vec<Cell>], heading: &Style) -> String {
    let cols = header.len();
    let mut widths: Vec<usize> = header.iter().map(|h| measure_text_width(h)).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(cols) {
            widths[i] = widths[i].max(measure_text_width(&cell.text));
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, cells: Vec<(String, usize, Option<&Style>)>| {
        let n = cells.len();
        let mut text = String::new();
        for (i, (t, w, style)) in cells.into_iter().enumerate() {
            let pad = if i + 1 < n {
                w.saturating_sub(measure_text_width(&t))
            } else {
                0
            };
            match style {
                Some(s) => text.push_str(&s.apply_to(&t).to_string()),
                None => text.push_str(&t),
            }
            if i + 1 < n {
                text.push_str(&" ".repeat(pad + 2));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(
        &mut out,
        header
            .iter()
            .zip(&widths)
            .map(|(h, w)| (h.to_string(), *w, Some(heading)))
            .collect(),
    );
    for row in rows {
        line(
            &mut out,
            row.iter()
                .zip(&widths)
                .map(|(c, w)| (c.text.clone(), *w, c.style.as_ref()))
                .collect(),
        );
    }
    out
}
