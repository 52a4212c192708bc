//! Discovery: the paths given on the command line in, the corpus's [`Source`]s out, with every
//! input that cannot be scanned accounted for.
//!
//! Folders are walked recursively; files named directly are taken as they are. A source's name
//! (the report's `doc`) is its path relative to the folder it was found in, with `/` separators,
//! or the path as given for a file named directly. The corpus is ordered by the path given (the
//! inputs sorted by their paths as given, [`input_key`]), then by name within a folder: a folder
//! of shards scanned as `A B C` is in the order of `sign A B C`'s shard ids, and the report does
//! not depend on the order of the paths on the command line.
//!
//! Problems do not stop discovery: a path that does not exist, a dangling link or a link loop
//! becomes a [`Skipped`] input, and a file reached twice (a folder given twice, a file given both
//! directly and inside its folder, two links to one file) is read once, with a [`Notice`], under
//! the name a folder gives it (the smallest, if several do) or else the smallest name. Two *different* files with the same name are an error, as the report
//! could not tell them apart.

use super::{Source, STDIN};
use crate::Error;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// An input that was not scanned, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: String,
    /// Bytes not scanned (0 when nothing was read, e.g. a link loop).
    pub bytes: u64,
    /// The 1-based line of a skipped record of a shard; 0 when the input (or the rest of it)
    /// was passed over.
    pub line: u32,
}

/// Something about an input that was scanned anyway: read once though given twice, decoded
/// lossily, an id used twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub path: PathBuf,
    pub message: String,
}

/// The documents found, in name order, and the inputs passed over.
#[derive(Debug, Default)]
pub struct Discovery {
    pub sources: Vec<Source>,
    pub skipped: Vec<Skipped>,
    pub notices: Vec<Notice>,
    /// Standard input (`-`) spooled to a temporary file, which lives as long as this value:
    /// the scan reads documents again for verification and previews.
    pub stdin_spool: Option<tempfile::TempPath>,
}

/// Finds every document under `inputs`. Fails only when two different files would get the same
/// name, or standard input cannot be spooled.
pub fn discover(inputs: &[PathBuf]) -> Result<Discovery, Error> {
    let mut found = Discovery::default();
    // Every file reached, and whether one was reached through a link.
    let mut files: Vec<Found> = Vec::new();
    let mut linked = false;
    for input in inputs {
        if input.as_os_str() == STDIN {
            if found.stdin_spool.is_none() {
                let mut tmp =
                    tempfile::NamedTempFile::new().map_err(|e| Error::io("<stdin>", e))?;
                std::io::copy(&mut std::io::stdin().lock(), &mut tmp)
                    .map_err(|e| Error::io("<stdin>", e))?;
                let path = tmp.into_temp_path();
                files.push(Found {
                    input: STDIN.to_string(),
                    name: STDIN.to_string(),
                    path: path.to_path_buf(),
                    direct: true,
                });
                found.stdin_spool = Some(path);
            }
            continue;
        }
        let meta = match std::fs::metadata(input) {
            Ok(m) => m,
            Err(e) => {
                found.skipped.push(Skipped {
                    path: input.clone(),
                    reason: e.to_string(),
                    bytes: 0,
                    line: 0,
                });
                continue;
            }
        };
        let key = input_key(input);
        if !meta.is_dir() {
            files.push(Found {
                input: key.clone(),
                name: slash_path(input),
                path: input.clone(),
                direct: true,
            });
            continue;
        }
        // Not sorted here: the corpus is ordered by name below. (Sorting each folder by
        // `file_name`, which parses the path at every comparison, was half of discovery.)
        let walk = walkdir::WalkDir::new(input).follow_links(true);
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
                    found.skipped.push(Skipped {
                        path,
                        reason,
                        bytes: 0,
                        line: 0,
                    });
                    continue;
                }
            };
            if entry.file_type().is_file() {
                linked |= entry.path_is_symlink();
                let rel = entry.path().strip_prefix(input).unwrap_or(entry.path());
                files.push(Found {
                    input: key.clone(),
                    name: slash_path(rel),
                    path: entry.path().to_path_buf(),
                    direct: false,
                });
            }
        }
    }
    // One file can be reached twice only through several inputs or a link; otherwise the
    // identity check (a `stat` per file) is skipped.
    if inputs.len() > 1 || linked {
        files = read_once(files, &mut found.notices);
    }
    // By input, name, then path: the order of the corpus whatever order the folders list
    // their files in.
    files.sort_unstable_by(|a, b| (&a.input, &a.name, &a.path).cmp(&(&b.input, &b.name, &b.path)));
    let mut sources: Vec<Source> = Vec::with_capacity(files.len());
    // Two different files with one name (from two inputs, or given twice in two spellings).
    let mut by_name: std::collections::HashMap<&str, usize> =
        std::collections::HashMap::with_capacity(files.len());
    for (i, f) in files.iter().enumerate() {
        if let Some(&first) = by_name.get(f.name.as_str()) {
            let other: &Found = &files[first];
            if same_file(&other.path, &f.path) {
                continue;
            }
            let (a, b) = if (&other.input, &other.path) <= (&f.input, &f.path) {
                (other, f)
            } else {
                (f, other)
            };
            return Err(Error::Input {
                path: b.path.clone(),
                message: format!(
                    "has the same document name '{}' as {}; scan them in separate runs or name the files directly",
                    b.name,
                    a.path.display()
                ),
            });
        }
        by_name.insert(&f.name, i);
    }
    let mut seen = std::collections::HashSet::with_capacity(files.len());
    for f in &files {
        if seen.insert(f.name.as_str()) {
            sources.push(Source {
                name: f.name.clone(),
                path: f.path.clone(),
            });
        }
    }
    found.sources = sources;
    found.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(found)
}

/// A file reached from the command line: the input it came from ([`input_key`]), its name, its
/// path, and whether it was named directly.
#[derive(Debug, Clone)]
struct Found {
    input: String,
    name: String,
    path: PathBuf,
    direct: bool,
}

/// The key that orders the inputs of a run, and so the corpus: the path as given, with `/`
/// separators (standard input is `-`). `dedup sign` numbers its shards in this order too.
pub fn input_key(input: &Path) -> String {
    slash_path(input)
}

/// Keeps one name per file, whatever the order of the inputs: the smallest a folder walk gave
/// it, or the smallest given directly. The others become notices.
fn read_once(files: Vec<Found>, notices: &mut Vec<Notice>) -> Vec<Found> {
    let mut by_file: BTreeMap<FileId, Vec<Found>> = BTreeMap::new();
    for f in files {
        by_file.entry(file_id(&f.path)).or_default().push(f);
    }
    let mut kept = Vec::with_capacity(by_file.len());
    for (_, mut names) in by_file {
        names.sort_by(|a, b| {
            (a.direct, &a.name, &a.path, &a.input).cmp(&(b.direct, &b.name, &b.path, &b.input))
        });
        let first = names.remove(0);
        for other in names {
            notices.push(Notice {
                path: other.path,
                message: format!("given twice: read once, as {}", first.name),
            });
        }
        kept.push(first);
    }
    notices.sort_by(|a, b| a.path.cmp(&b.path));
    kept
}

/// What makes two paths the same file: device and inode where there are such, else the
/// canonical path (a path that cannot be resolved stands for itself).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum FileId {
    #[cfg(unix)]
    Inode(u64, u64),
    Path(PathBuf),
}

fn file_id(path: &Path) -> FileId {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(m) = std::fs::metadata(path) {
            return FileId::Inode(m.dev(), m.ino());
        }
    }
    FileId::Path(path.canonicalize().unwrap_or_else(|_| path.to_path_buf()))
}

fn same_file(a: &Path, b: &Path) -> bool {
    file_id(a) == file_id(b)
}

pub(super) fn slash_path(p: &Path) -> String {
    // The usual path (from a folder walk) is already in this form: no `.` or empty component.
    #[cfg(unix)]
    if let Some(s) = p.to_str() {
        let clean = |c: &str| !c.is_empty() && c != ".";
        if s.split('/')
            .enumerate()
            .all(|(i, c)| clean(c) || (i == 0 && c.is_empty()))
        {
            return s.to_string();
        }
    }
    slash_components(p)
}

/// [`slash_path`] the long way: the path's components joined with `/`.
fn slash_components(p: &Path) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The shortcut for clean paths gives what joining the components gives.
        #[test]
        fn slash_path_shortcut_matches_the_components(
            parts in proptest::collection::vec(
                proptest::sample::select(vec!["a", "b.txt", ".", "..", "", "é", " x"]), 0..6),
            root in proptest::bool::ANY,
        ) {
            let s = format!("{}{}", if root { "/" } else { "" }, parts.join("/"));
            let p = Path::new(&s);
            proptest::prop_assert_eq!(slash_path(p), slash_components(p), "{:?}", s);
        }
    }

    #[test]
    fn names_use_forward_slashes() {
        assert_eq!(slash_path(Path::new("./a/b.txt")), "a/b.txt");
        assert_eq!(slash_path(Path::new("/x/y")), "/x/y");
    }

    #[test]
    fn a_file_reached_twice_is_read_once_under_its_smallest_name() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/a.txt"), "x").unwrap();
        let sub = dir.path().join("sub");
        let file = sub.join("a.txt");
        for inputs in [
            vec![sub.clone(), file.clone(), sub.clone()],
            vec![file.clone(), sub.clone()],
        ] {
            let found = discover(&inputs).unwrap();
            let names: Vec<&str> = found.sources.iter().map(|s| s.name.as_str()).collect();
            assert_eq!(names, ["a.txt"]);
            assert!(found
                .notices
                .iter()
                .all(|n| n.message.contains("given twice")));
            assert!(!found.notices.is_empty());
        }
    }

    #[test]
    fn missing_inputs_are_skipped_not_fatal() {
        let found = discover(&[PathBuf::from("/no/such/path")]).unwrap();
        assert_eq!(found.skipped.len(), 1);
        assert!(found.sources.is_empty());
    }
}
