//! Read stage: the paths given on the command line in, the corpus's documents out.
//!
//! [`discover`] walks folders recursively, in sorted order, and takes files named directly. Each
//! file is one [`Source`]; its name (the report's `doc`) is its path relative to the folder it was
//! found in, with `/` separators, or the path as given for a file named directly. The corpus is
//! ordered by name, so the report does not depend on the order of the paths on the command line.
//! Symbolic links are followed, but a link that leads back into a folder being walked is reported
//! as a loop and skipped, as is a dangling link.
//!
//! [`load`] reads one document and checks that it is text. Whatever cannot be used becomes a
//! [`Skipped`] entry with its reason, so every input is accounted for.

use crate::Error;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One document of the corpus, before it is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The document's name in the report.
    pub name: String,
    /// Where to read it.
    pub path: PathBuf,
}

/// An input that was not scanned, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: String,
}

/// The documents found, in name order, and the inputs passed over.
#[derive(Debug, Default)]
pub struct Discovery {
    pub sources: Vec<Source>,
    pub skipped: Vec<Skipped>,
}

/// Finds every document under `inputs`. Fails when an input does not exist or two different
/// files would get the same name.
pub fn discover(inputs: &[PathBuf]) -> Result<Discovery, Error> {
    let mut by_name: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut found = Discovery::default();
    let mut add = |name: String, path: PathBuf, found: &mut Discovery| -> Result<(), Error> {
        match by_name.get(&name) {
            Some(existing) if same_file(existing, &path) => {
                found.skipped.push(Skipped { path, reason: format!("given twice (as {name})") });
                Ok(())
            }
            Some(existing) => Err(Error::Input {
                path,
                message: format!(
                    "has the same document name '{name}' as {}; scan them in separate runs or name the files directly",
                    existing.display()
                ),
            }),
            None => {
                by_name.insert(name, path);
                Ok(())
            }
        }
    };
    for input in inputs {
        let meta = std::fs::metadata(input).map_err(|e| Error::io(input, e))?;
        if !meta.is_dir() {
            add(slash_path(input), input.clone(), &mut found)?;
            continue;
        }
        let walk = walkdir::WalkDir::new(input)
            .follow_links(true)
            .sort_by(|a, b| a.file_name().cmp(b.file_name()));
        for entry in walk {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let path = e.path().map_or_else(|| input.clone(), Path::to_path_buf);
                    let reason = if e.loop_ancestor().is_some() {
                        "link loop, not followed".to_string()
                    } else {
                        e.io_error()
                            .map_or_else(|| e.to_string(), |io| io.to_string())
                    };
                    found.skipped.push(Skipped { path, reason });
                    continue;
                }
            };
            if entry.file_type().is_file() {
                let rel = entry.path().strip_prefix(input).unwrap_or(entry.path());
                add(slash_path(rel), entry.path().to_path_buf(), &mut found)?;
            }
        }
    }
    found.sources = by_name
        .into_iter()
        .map(|(name, path)| Source { name, path })
        .collect();
    Ok(found)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn slash_path(p: &Path) -> String {
    let parts: Vec<String> = p
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let joined = parts.join("/");
    if p.has_root() && !joined.starts_with('/') {
        format!("/{}", joined.trim_start_matches('/'))
    } else {
        joined.replace("//", "/")
    }
}

/// A document's content, or why it cannot be scanned.
pub enum Loaded {
    Text(String),
    Skip(String),
}

/// Reads a document. Binary files (a NUL byte, as ripgrep decides) and files that are not valid
/// UTF-8 are skipped with a reason; I/O errors are errors.
pub fn load(source: &Source) -> Result<Loaded, Error> {
    let bytes = std::fs::read(&source.path).map_err(|e| Error::io(&source.path, e))?;
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        return Ok(Loaded::Skip(format!(
            "binary file (NUL byte at offset {pos})"
        )));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Loaded::Text(text)),
        Err(e) => Ok(Loaded::Skip(format!(
            "not valid UTF-8 (first bad byte at offset {})",
            e.utf8_error().valid_up_to()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_use_forward_slashes() {
        assert_eq!(slash_path(Path::new("./a/b.txt")), "a/b.txt");
        assert_eq!(slash_path(Path::new("/x/y")), "/x/y");
    }
}
