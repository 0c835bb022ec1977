//! Prompts behind one trait: the terminal implementation uses dialoguer on stderr; a scripted
//! one answers from a list, for tests. Prompts collect answers; they never decide.

use std::collections::VecDeque;

use dialoguer::theme::ColorfulTheme;

/// Every prompt returns `Ok(None)` when the user aborts (Esc).
pub trait Prompter {
    fn select(&mut self, prompt: &str, items: &[String], default: usize) -> std::io::Result<Option<usize>>;
    fn multi_select(&mut self, prompt: &str, items: &[String], checked: &[bool])
    -> std::io::Result<Option<Vec<usize>>>;
    /// Text input; `required` re-asks on empty input.
    fn input(&mut self, prompt: &str, required: bool) -> std::io::Result<Option<String>>;
    fn confirm(&mut self, prompt: &str, default: bool) -> std::io::Result<Option<bool>>;
}

fn io(e: dialoguer::Error) -> std::io::Error {
    let dialoguer::Error::IO(e) = e;
    e
}

/// Prompts on the terminal (stderr), in one theme, colour by `console` (honours NO_COLOR).
pub struct TermPrompter {
    theme: ColorfulTheme,
    term: console::Term,
}

impl TermPrompter {
    pub fn new(colors: bool) -> Self {
        let theme = if colors {
            ColorfulTheme::default()
        } else {
            let plain = console::Style::new().force_styling(false);
            let sym = |s: &str| console::style(s.to_string()).force_styling(false);
            ColorfulTheme {
                defaults_style: plain.clone(),
                prompt_style: plain.clone(),
                prompt_prefix: sym("?"),
                prompt_suffix: sym("›"),
                success_prefix: sym("✔"),
                success_suffix: sym("·"),
                error_prefix: sym("✘"),
                error_style: plain.clone(),
                hint_style: plain.clone(),
                values_style: plain.clone(),
                active_item_style: plain.clone(),
                inactive_item_style: plain.clone(),
                active_item_prefix: sym("❯"),
                inactive_item_prefix: sym(" "),
                checked_item_prefix: sym("[x]"),
                unchecked_item_prefix: sym("[ ]"),
                picked_item_prefix: sym("❯"),
                unpicked_item_prefix: sym(" "),
            }
        };
        TermPrompter {
            theme,
            term: console::Term::stderr(),
        }
    }
}

impl Prompter for TermPrompter {
    fn select(&mut self, prompt: &str, items: &[String], default: usize) -> std::io::Result<Option<usize>> {
        dialoguer::Select::with_theme(&self.theme)
            .with_prompt(prompt)
            .items(items)
            .default(default)
            .max_length(12)
            // The caller says what was picked ("81 of 82 commits"): dialoguer's report would
            // echo every item as one paragraph.
            .report(false)
            .interact_on_opt(&self.term)
            .map_err(io)
    }

    fn multi_select(
        &mut self,
        prompt: &str,
        items: &[String],
        checked: &[bool],
    ) -> std::io::Result<Option<Vec<usize>>> {
        dialoguer::MultiSelect::with_theme(&self.theme)
            .with_prompt(prompt)
            .items(items)
            .defaults(checked)
            .max_length(12)
            .interact_on_opt(&self.term)
            .map_err(io)
    }

    fn input(&mut self, prompt: &str, required: bool) -> std::io::Result<Option<String>> {
        loop {
            let text: String = dialoguer::Input::with_theme(&self.theme)
                .with_prompt(prompt)
                .allow_empty(!required)
                .interact_text_on(&self.term)
                .map_err(io)?;
            if !required || !text.trim().is_empty() {
                return Ok(Some(text.trim().to_owned()));
            }
        }
    }

    fn confirm(&mut self, prompt: &str, default: bool) -> std::io::Result<Option<bool>> {
        dialoguer::Confirm::with_theme(&self.theme)
            .with_prompt(prompt)
            .default(default)
            .interact_on_opt(&self.term)
            .map_err(io)
    }
}

/// One scripted answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Select this item (index).
    Pick(usize),
    /// Accept the default (select) or keep the preselection (multi-select).
    Default,
    /// Multi-select exactly these.
    Picks(Vec<usize>),
    Text(String),
    Yes,
    No,
    /// Esc.
    Abort,
}

/// Answers prompts from a script and records what was asked (for tests).
#[derive(Debug, Default)]
pub struct Scripted {
    pub answers: VecDeque<Answer>,
    /// Each prompt asked, with its items.
    pub asked: Vec<(String, Vec<String>)>,
}

impl Scripted {
    pub fn new(answers: impl IntoIterator<Item = Answer>) -> Self {
        Scripted {
            answers: answers.into_iter().collect(),
            asked: Vec::new(),
        }
    }
    fn next(&mut self, prompt: &str, items: &[String]) -> std::io::Result<Answer> {
        self.asked.push((prompt.to_owned(), items.to_vec()));
        self.answers
            .pop_front()
            .ok_or_else(|| std::io::Error::other(format!("the script has no answer for: {prompt}")))
    }
}

impl Prompter for Scripted {
    fn select(&mut self, prompt: &str, items: &[String], default: usize) -> std::io::Result<Option<usize>> {
        Ok(match self.next(prompt, items)? {
            Answer::Pick(i) if i < items.len() => Some(i),
            Answer::Default => Some(default),
            Answer::Abort => None,
            other => {
                return Err(std::io::Error::other(format!(
                    "{other:?} does not answer a select: {prompt}"
                )));
            }
        })
    }
    fn multi_select(
        &mut self,
        prompt: &str,
        items: &[String],
        checked: &[bool],
    ) -> std::io::Result<Option<Vec<usize>>> {
        Ok(match self.next(prompt, items)? {
            Answer::Picks(v) => Some(v),
            Answer::Default => Some((0..items.len()).filter(|i| checked.get(*i) == Some(&true)).collect()),
            Answer::Abort => None,
            other => {
                return Err(std::io::Error::other(format!(
                    "{other:?} does not answer a multi-select: {prompt}"
                )));
            }
        })
    }
    fn input(&mut self, prompt: &str, required: bool) -> std::io::Result<Option<String>> {
        loop {
            match self.next(prompt, &[])? {
                Answer::Text(t) if required && t.trim().is_empty() => continue,
                Answer::Text(t) => return Ok(Some(t.trim().to_owned())),
                Answer::Abort => return Ok(None),
                other => {
                    return Err(std::io::Error::other(format!(
                        "{other:?} does not answer an input: {prompt}"
                    )));
                }
            }
        }
    }
    fn confirm(&mut self, prompt: &str, default: bool) -> std::io::Result<Option<bool>> {
        Ok(match self.next(prompt, &[])? {
            Answer::Yes => Some(true),
            Answer::No => Some(false),
            Answer::Default => Some(default),
            Answer::Abort => None,
            other => {
                return Err(std::io::Error::other(format!(
                    "{other:?} does not answer a confirm: {prompt}"
                )));
            }
        })
    }
}
