//! Where `apply` writes: the output folder checked against the inputs, document names turned
//! into paths inside it, and the staging folder the output is written into before it is moved
//! into place.

use crate::Error;
use std::path::{Component, Path, PathBuf};

/// The folder the output is written into before it is moved to `--out`: a hidden temporary
/// folder beside `--out` (on the same file system, so the move is a rename), removed with
/// whatever it holds if the run fails.
pub struct Staging(tempfile::TempDir);

impl Staging {
    pub fn new(out: &Path) -> Result<Staging, Error> {
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        tempfile::Builder::new()
            .prefix(".dedup-apply-")
            .tempdir_in(parent)
            .map(Staging)
            .map_err(|e| Error::io(parent, e))
    }

    pub fn dir(&self) -> &Path {
        self.0.path()
    }

    /// Moves the staged output to `out`: the whole folder when `out` does not exist, else file by
    /// file into it (replacing files of the same name, leaving the others).
    pub fn finish(self, out: &Path) -> Result<(), Error> {
        let staged = self.0.path();
        if !out.exists() {
            return std::fs::rename(staged, out).map_err(|e| Error::io(out, e));
        }
        for entry in walkdir::WalkDir::new(staged).min_depth(1) {
            let entry = entry.map_err(|e| Error::io(staged, e.into()))?;
            let rel = entry.path().strip_prefix(staged).unwrap_or(entry.path());
            let target = out.join(rel);
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&target).map_err(|e| Error::io(&target, e))?;
            } else {
                std::fs::rename(entry.path(), &target).map_err(|e| Error::io(&target, e))?;
            }
        }
        Ok(())
    }
}

/// Refuses an output folder that is an input, lies inside one, or contains one. Checked before
/// anything is created.
pub fn check_out_dir(inputs: &[PathBuf], out: &Path) -> Result<(), Error> {
    let out_c = resolve(out).map_err(|e| Error::io(out, e))?;
    for input in inputs {
        let Ok(inp) = input.canonicalize() else {
            continue;
        };
        if out_c.starts_with(&inp) || inp.starts_with(&out_c) {
            return Err(Error::Usage(format!(
                "--out {} overlaps the input {}: refusing to overwrite the corpus",
                out.display(),
                input.display()
            )));
        }
    }
    Ok(())
}

/// The absolute, link-free form of a path that may not exist yet: its longest existing ancestor
/// canonicalised, followed by the rest.
fn resolve(path: &Path) -> std::io::Result<PathBuf> {
    let abs = std::path::absolute(path)?;
    let mut existing = abs.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        rest.push(existing.file_name().unwrap_or_default().to_owned());
        existing = existing.parent().unwrap_or(Path::new("/"));
    }
    let mut out = existing.canonicalize()?;
    out.extend(rest.iter().rev());
    Ok(out)
}

/// A document name as a path that stays inside the output folder: no root, no `..`.
pub fn safe_relative(name: &str) -> Option<PathBuf> {
    let mut p = PathBuf::new();
    for c in Path::new(name).components() {
        match c {
            Component::Normal(part) => p.push(part),
            Component::CurDir | Component::RootDir => {}
            Component::ParentDir | Component::Prefix(_) => return None,
        }
    }
    (!p.as_os_str().is_empty()).then_some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_stay_inside_the_output_folder() {
        assert_eq!(safe_relative("a/b.txt"), Some(PathBuf::from("a/b.txt")));
        assert_eq!(
            safe_relative("/etc/passwd"),
            Some(PathBuf::from("etc/passwd"))
        );
        assert_eq!(safe_relative("../x"), None);
        assert_eq!(safe_relative("a/../../x"), None);
        assert_eq!(safe_relative(""), None);
    }
}
