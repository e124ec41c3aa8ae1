//! Identifier → target: the resolution algorithm of DESIGN.md.
//!
//! | input         | meaning                                                           |
//! |---------------|-------------------------------------------------------------------|
//! | `vm:session`  | that VM (by name; else by label or IP) and that session           |
//! | `vm:`         | that VM, default session                                          |
//! | `:session`    | the one VM whose cached sessions include it                       |
//! | anything bare | every candidate: VM name, VM label, session name, IP, `vm--s` alias |
//!
//! One candidate wins; none is [`ResolveError::NotFound`] with the closest names; several
//! is [`ResolveError::Ambiguous`] listing each in compound form.

use std::fmt;

use crate::inventory::{Inventory, SessionInfo, Vm};
use crate::name::{self, Identifier, NameError};
use crate::suggest::{closest, did_you_mean_kinds};
use crate::text::Escaped;

/// How an identifier reached its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchedBy {
    /// `vm:session` or `vm:` naming the VM by name.
    Compound,
    /// The VM's name.
    VmName,
    /// The VM's label.
    Label,
    /// A tmux session name in the session cache.
    Session,
    /// The VM's IP address.
    Address,
    /// A generated `vm--session` alias.
    Alias,
}

impl fmt::Display for MatchedBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MatchedBy::Compound => "compound name",
            MatchedBy::VmName => "VM name",
            MatchedBy::Label => "VM label",
            MatchedBy::Session => "session name",
            MatchedBy::Address => "IP address",
            MatchedBy::Alias => "ssh alias",
        })
    }
}

/// Where an identifier leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target<'a> {
    /// The VM the identifier leads to.
    pub vm: &'a Vm,
    /// The tmux session.
    pub session: String,
    /// Whether the session was named explicitly (`vm:s`, `:s`, a session name, an alias)
    /// rather than defaulted. Commands that must not create sessions care.
    pub session_explicit: bool,
    /// How the identifier matched.
    pub matched_by: MatchedBy,
}

impl Target<'_> {
    /// `vm:session`.
    pub fn compound(&self) -> String {
        name::compound(&self.vm.name, &self.session)
    }
    /// `vm--session`, the generated ssh alias.
    pub fn ssh_alias(&self) -> String {
        name::ssh_alias(&self.vm.name, &self.session)
    }
}

/// Why an identifier did not resolve to exactly one target.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// The identifier is malformed (a usage error, exit 2).
    #[error(transparent)]
    Invalid(#[from] NameError),
    /// Nothing matched.
    #[error("{}", not_found_message(.input, .suggestions))]
    NotFound {
        /// The identifier as typed.
        input: String,
        /// The closest known names, best first, each with what kind of name it is.
        suggestions: Vec<(String, MatchedBy)>,
    },
    /// A named session that does not exist on its VM while one of a close name does:
    /// likely a typo, so it is not created without `--create`.
    #[error(
        "no session `{session}` on {vm}; did you mean `{}`? (`azlin connect {} --create` \
         makes `{session}`)",
        name::compound(.vm, .near),
        name::compound(.vm, .session)
    )]
    CloseSession {
        /// The VM.
        vm: String,
        /// The session asked for.
        session: String,
        /// The existing session of a close name.
        near: String,
    },
    /// `--all` or `--tag` found no running VM (with those tags).
    #[error("no running VM has the tags given: see `azlin list --all`")]
    NoRunningVm,
    /// Several candidates matched.
    #[error("{}", ambiguous_message(.input, .candidates))]
    Ambiguous {
        /// The identifier as typed.
        input: String,
        /// Every candidate, as `vm:session` with how it matched.
        candidates: Vec<(String, MatchedBy)>,
    },
}

impl ResolveError {
    /// Whether the error is a malformed identifier or a likely typo (exit 2) rather than a
    /// lookup failure.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            ResolveError::Invalid(_) | ResolveError::CloseSession { .. }
        )
    }
}

fn not_found_message(input: &str, suggestions: &[(String, MatchedBy)]) -> String {
    format!(
        "no VM or session matches `{}`{}",
        Escaped(input),
        did_you_mean_kinds(suggestions, ": see `azlin list` for the names azlin knows")
    )
}

fn ambiguous_message(input: &str, candidates: &[(String, MatchedBy)]) -> String {
    let mut msg = format!("`{}` is ambiguous; it matches:", Escaped(input));
    let shown: Vec<String> = candidates
        .iter()
        .map(|(c, _)| Escaped(c).to_string())
        .collect();
    let width = shown.iter().map(|c| c.chars().count()).max().unwrap_or(0);
    for (c, (_, by)) in shown.iter().zip(candidates) {
        msg.push_str(&format!("\n  {c:<width$}  ({by})"));
    }
    msg.push_str("\nname one of them in full as `vm:session`");
    msg
}

/// Resolves `input` against the inventory. `default_session` is used when the input names
/// only a VM.
pub fn resolve<'a>(
    input: &str,
    inventory: &'a Inventory,
    default_session: &str,
) -> Result<Target<'a>, ResolveError> {
    match Identifier::parse(input)? {
        Identifier::Compound { vm, session } => {
            let found = find_vm(inventory, &vm, input)?;
            let Some((vm, how)) = found else {
                let suggestions = closest(&vm, vm_words(inventory))
                    .into_iter()
                    .map(|v| {
                        let compound = format!("{v}:{}", session.as_deref().unwrap_or(""));
                        (compound, MatchedBy::Compound)
                    })
                    .collect();
                return Err(ResolveError::NotFound {
                    input: input.to_string(),
                    suggestions,
                });
            };
            Ok(Target {
                vm,
                session_explicit: session.is_some(),
                session: session.unwrap_or_else(|| default_session.to_string()),
                // `my-project:dev` names its VM by label: say so, as a bare word would.
                matched_by: match how {
                    MatchedBy::VmName => MatchedBy::Compound,
                    other => other,
                },
            })
        }
        Identifier::Session(session) => {
            let candidates: Vec<Target<'a>> = inventory
                .vms
                .iter()
                .filter(|vm| has_session(inventory, vm, &session))
                .map(|vm| Target {
                    vm,
                    session: session.clone(),
                    session_explicit: true,
                    matched_by: MatchedBy::Session,
                })
                .collect();
            pick(input, candidates, || {
                closest(&session, session_words(inventory))
                    .into_iter()
                    .map(|s| (format!(":{s}"), MatchedBy::Session))
                    .collect()
            })
        }
        Identifier::Bare(word) => {
            let candidates = bare_candidates(inventory, &word, default_session);
            pick(input, candidates, || bare_suggestions(inventory, &word))
        }
    }
}

/// The VM that the VM side of a compound names: by name first (exact), else by label or
/// IP, which must then be unique.
fn find_vm<'a>(
    inventory: &'a Inventory,
    word: &str,
    input: &str,
) -> Result<Option<(&'a Vm, MatchedBy)>, ResolveError> {
    if let Some(vm) = inventory.vm(word) {
        return Ok(Some((vm, MatchedBy::VmName)));
    }
    let matches: Vec<(&Vm, MatchedBy)> = inventory
        .vms
        .iter()
        .filter_map(|vm| {
            if vm.label.as_deref() == Some(word) {
                Some((vm, MatchedBy::Label))
            } else if vm.address.as_deref() == Some(word) {
                Some((vm, MatchedBy::Address))
            } else {
                None
            }
        })
        .collect();
    match matches.len() {
        0 => Ok(None),
        1 => Ok(Some(matches[0])),
        _ => Err(ResolveError::Ambiguous {
            input: input.to_string(),
            candidates: matches
                .iter()
                .map(|(vm, by)| (format!("{}:", vm.name), *by))
                .collect(),
        }),
    }
}

fn has_session(inventory: &Inventory, vm: &Vm, session: &str) -> bool {
    inventory
        .sessions
        .sessions_of(&vm.name)
        .iter()
        .any(|s| s.name == session)
}

fn bare_candidates<'a>(
    inventory: &'a Inventory,
    word: &str,
    default_session: &str,
) -> Vec<Target<'a>> {
    let mut out: Vec<Target<'a>> = Vec::new();
    let mut push = |vm: &'a Vm, session: &str, explicit: bool, by: MatchedBy| {
        if !out
            .iter()
            .any(|t| t.vm.name == vm.name && t.session == session)
        {
            out.push(Target {
                vm,
                session: session.to_string(),
                session_explicit: explicit,
                matched_by: by,
            });
        }
    };
    for vm in &inventory.vms {
        if vm.name == word {
            push(vm, default_session, false, MatchedBy::VmName);
        }
        if vm.label.as_deref() == Some(word) {
            push(vm, default_session, false, MatchedBy::Label);
        }
        if vm.address.as_deref() == Some(word) {
            push(vm, default_session, false, MatchedBy::Address);
        }
        for s in inventory.sessions.sessions_of(&vm.name) {
            if s.name == word {
                push(vm, &s.name, true, MatchedBy::Session);
            }
            // Aliases are looked up, never split: `a--b--c` may be VM `a--b`, session `c`.
            if name::ssh_alias(&vm.name, &s.name) == word {
                push(vm, &s.name, true, MatchedBy::Alias);
            }
        }
    }
    out
}

fn pick<'a>(
    input: &str,
    mut candidates: Vec<Target<'a>>,
    suggestions: impl FnOnce() -> Vec<(String, MatchedBy)>,
) -> Result<Target<'a>, ResolveError> {
    match candidates.len() {
        1 => Ok(candidates.remove(0)),
        0 => Err(ResolveError::NotFound {
            input: input.to_string(),
            suggestions: suggestions(),
        }),
        _ => Err(ResolveError::Ambiguous {
            input: input.to_string(),
            candidates: candidates
                .iter()
                .map(|t| (t.compound(), t.matched_by))
                .collect(),
        }),
    }
}

fn vm_words(inventory: &Inventory) -> impl Iterator<Item = &str> {
    inventory
        .vms
        .iter()
        .flat_map(|vm| std::iter::once(vm.name.as_str()).chain(vm.label.as_deref()))
}

fn session_words(inventory: &Inventory) -> impl Iterator<Item = &str> {
    inventory
        .sessions
        .vms
        .values()
        .flat_map(|v| v.sessions.iter().map(|s: &SessionInfo| s.name.as_str()))
}

/// Suggestions for a bare word: close VM names and labels as typed, close session names in
/// compound form (so the suggestion is never itself ambiguous), each with its kind.
fn bare_suggestions(inventory: &Inventory, word: &str) -> Vec<(String, MatchedBy)> {
    let kind = |w: &str| {
        if inventory.vm(w).is_some() {
            MatchedBy::VmName
        } else {
            MatchedBy::Label
        }
    };
    let mut out: Vec<(String, MatchedBy)> = closest(word, vm_words(inventory))
        .into_iter()
        .map(|w| {
            let k = kind(&w);
            (w, k)
        })
        .collect();
    for session in closest(word, session_words(inventory)) {
        for vm in &inventory.vms {
            if has_session(inventory, vm, &session) {
                out.push((name::compound(&vm.name, &session), MatchedBy::Session));
            }
        }
    }
    out.truncate(5);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{ProviderKind, SessionCache};

    fn vm(name: &str, ip: &str, label: Option<&str>) -> Vm {
        let mut vm = Vm::new(name, ProviderKind::Local).at(ip);
        vm.label = label.map(Into::into);
        vm
    }

    fn sessions(names: &[&str]) -> Vec<SessionInfo> {
        names.iter().map(|n| SessionInfo::new(n)).collect()
    }

    /// The guides' fleet plus the awkward cases: a VM named like a session, a labelled
    /// VM, a VM whose name holds `--`, and mixed case.
    fn fleet() -> Inventory {
        let mut cache = SessionCache::default();
        cache.record("myvm", sessions(&["main", "dev", "staging"]));
        cache.record("prodvm", sessions(&["main", "api"]));
        cache.record("api", sessions(&["web"]));
        cache.record("a--b", sessions(&["c"]));
        cache.record("a", sessions(&["b--c"]));
        cache.record("MixedVM", sessions(&["Work"]));
        Inventory::new(
            vec![
                vm("myvm", "10.0.0.1", None),
                vm("prodvm", "10.0.0.2", Some("production")),
                vm("api", "10.0.0.3", None),
                vm("a--b", "10.0.0.4", None),
                vm("a", "10.0.0.5", None),
                vm("MixedVM", "10.0.0.6", Some("ml-training")),
                vm("labelclash", "10.0.0.7", Some("myvm")),
                vm("twin1", "10.0.0.8", Some("twins")),
                vm("twin2", "10.0.0.9", Some("twins")),
            ],
            cache,
        )
        .unwrap()
    }

    enum Want {
        Ok(&'static str, MatchedBy),
        Ambiguous(&'static [&'static str]),
        NotFound(&'static [&'static str]),
        Usage,
    }
    use Want::*;

    #[test]
    fn resolution_table() {
        let inv = fleet();
        let cases: &[(&str, Want)] = &[
            // The guides' examples.
            ("myvm:main", Ok("myvm:main", MatchedBy::Compound)),
            ("dev", Ok("myvm:dev", MatchedBy::Session)),
            ("main", Ambiguous(&["myvm:main", "prodvm:main"])),
            // `myvm` is also the label of labelclash: both candidates are listed.
            ("myvm", Ambiguous(&["labelclash:azlin", "myvm:azlin"])),
            ("prodvm", Ok("prodvm:azlin", MatchedBy::VmName)),
            // Compound and partial forms.
            ("myvm:", Ok("myvm:azlin", MatchedBy::Compound)),
            ("myvm:newone", Ok("myvm:newone", MatchedBy::Compound)),
            (":staging", Ok("myvm:staging", MatchedBy::Session)),
            (":main", Ambiguous(&["myvm:main", "prodvm:main"])),
            (":nosuch", NotFound(&[])),
            // In a compound the VM name wins over another VM's label.
            ("myvm:dev", Ok("myvm:dev", MatchedBy::Compound)),
            ("production:api", Ok("prodvm:api", MatchedBy::Label)),
            ("10.0.0.2:api", Ok("prodvm:api", MatchedBy::Address)),
            ("twins:x", Ambiguous(&["twin1:", "twin2:"])),
            // Labels and IPs, bare.
            ("production", Ok("prodvm:azlin", MatchedBy::Label)),
            ("ml-training", Ok("MixedVM:azlin", MatchedBy::Label)),
            ("10.0.0.3", Ok("api:azlin", MatchedBy::Address)),
            ("twins", Ambiguous(&["twin1:azlin", "twin2:azlin"])),
            // A VM name that is also a session name elsewhere.
            ("api", Ambiguous(&["api:azlin", "prodvm:api"])),
            ("web", Ok("api:web", MatchedBy::Session)),
            // Aliases are looked up, not split.
            ("myvm--dev", Ok("myvm:dev", MatchedBy::Alias)),
            ("prodvm--api", Ok("prodvm:api", MatchedBy::Alias)),
            ("a--b--c", Ambiguous(&["a--b:c", "a:b--c"])),
            ("a--b", Ok("a--b:azlin", MatchedBy::VmName)),
            ("myvm--nosuch", NotFound(&[])),
            ("mixedvm--work", Ok("MixedVM:Work", MatchedBy::Alias)),
            // Matching is case-sensitive.
            ("MixedVM:Work", Ok("MixedVM:Work", MatchedBy::Compound)),
            ("mixedvm", NotFound(&["MixedVM"])),
            ("Work", Ok("MixedVM:Work", MatchedBy::Session)),
            ("work", NotFound(&["MixedVM:Work"])),
            ("MYVM:main", NotFound(&["myvm:main"])),
            // Typos get the closest names.
            ("myvn", NotFound(&["myvm"])),
            ("stagin", NotFound(&["myvm:staging"])),
            ("prodvm2:api", NotFound(&["prodvm:api"])),
            ("zzzzzz", NotFound(&[])),
            // Malformed input is a usage error.
            ("", Usage),
            ("  ", Usage),
            (" myvm", Usage),
            ("a:b:c", Usage),
            (":", Usage),
            ("myvm:bad.session", Usage),
            ("vm;id", Usage),
        ];
        for (input, want) in cases {
            let got = resolve(input, &inv, "azlin");
            match (want, got) {
                (Ok(compound, by), Result::Ok(t)) => {
                    assert_eq!(
                        (t.compound().as_str(), t.matched_by),
                        (*compound, *by),
                        "{input:?}"
                    )
                }
                (Ambiguous(want), Err(ResolveError::Ambiguous { candidates, .. })) => {
                    let mut got: Vec<&str> = candidates.iter().map(|(c, _)| c.as_str()).collect();
                    got.sort();
                    assert_eq!(&got, want, "{input:?}");
                }
                (NotFound(want), Err(ResolveError::NotFound { suggestions, .. })) => {
                    for w in *want {
                        assert!(
                            suggestions.iter().any(|(s, _)| s == w),
                            "{input:?}: {suggestions:?}"
                        );
                    }
                    if want.is_empty() {
                        assert!(
                            !suggestions.iter().any(|(s, _)| s == "myvm:dev"),
                            "{input:?}: {suggestions:?}"
                        );
                    }
                }
                (Usage, Err(e)) if e.is_usage() => {}
                (_, got) => panic!("{input:?}: unexpected {got:?}"),
            }
        }
    }

    #[test]
    fn default_session_is_configurable() {
        let inv = fleet();
        let t = resolve("prodvm", &inv, "main").unwrap();
        assert_eq!(t.compound(), "prodvm:main");
        assert!(!t.session_explicit);
        assert_eq!(t.ssh_alias(), "prodvm--main");
    }

    #[test]
    fn resolution_works_with_an_empty_cache() {
        let inv = Inventory::new(
            vec![vm("myvm", "10.0.0.1", Some("proj"))],
            SessionCache::default(),
        )
        .unwrap();
        assert_eq!(
            resolve("myvm", &inv, "azlin").unwrap().compound(),
            "myvm:azlin"
        );
        assert_eq!(
            resolve("proj", &inv, "azlin").unwrap().compound(),
            "myvm:azlin"
        );
        assert_eq!(
            resolve("10.0.0.1", &inv, "azlin").unwrap().compound(),
            "myvm:azlin"
        );
        assert!(matches!(
            resolve("dev", &inv, "azlin"),
            Err(ResolveError::NotFound { .. })
        ));
    }

    #[test]
    fn messages_list_candidates_one_per_line() {
        let inv = fleet();
        let msg = resolve("main", &inv, "azlin").unwrap_err().to_string();
        assert!(msg.contains("\n  myvm:main"), "{msg}");
        assert!(msg.contains("\n  prodvm:main"), "{msg}");
        let msg = resolve("myvn", &inv, "azlin").unwrap_err().to_string();
        assert!(msg.contains("did you mean:\n  myvm"), "{msg}");
    }

    #[test]
    fn suggestions_of_several_kinds_are_grouped_and_named() {
        let inv = fleet();
        // `apy`: the VM `api` and the session `api` on prodvm are one edit away.
        let msg = resolve("apy", &inv, "azlin").unwrap_err().to_string();
        assert!(
            msg.ends_with(
                "; did you mean a VM name or a session name?\n  api         (VM name)\n  \
                 prodvm:api  (session name)"
            ),
            "{msg}"
        );
        // Labels are their own kind; far names are never offered.
        let msg = resolve("productio", &inv, "azlin").unwrap_err().to_string();
        assert!(msg.ends_with("did you mean:\n  production"), "{msg}");
    }
}
