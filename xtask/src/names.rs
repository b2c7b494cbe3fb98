//! Short import and export names for the bundles, the same in every bundle, so that one glue
//! serves them all.
//!
//! wasm-bindgen names an import after its function and a 16-digit hash
//! (`__wbg_attachShadow_ebe844ae64e30ce4`, from module `./mitmachen_bg.js`) and its closure
//! shims after their Rust types: about 8 KB of names per module and the same again in its glue,
//! hex that does not compress. The hashes are the same in every bundle, and the glue of the
//! complete bundle defines every import the smaller ones use (they differ only in which imports
//! they need), so after renaming each module's imports and exports by one table, the complete
//! bundle's glue instantiates any of them: the loader carries one glue instead of four.

use crate::Result;
use std::collections::BTreeMap;

/// The module every import comes from after renaming.
pub const MODULE: &str = "a";

/// Old name to new name, for imports and for exports.
#[derive(Default)]
pub struct Names {
    pub imports: BTreeMap<String, String>,
    pub exports: BTreeMap<String, String>,
}

impl Names {
    /// One table for all of `modules`: names in order of their first appearance, the complete
    /// bundle (holding every name) first.
    pub fn for_modules(modules: &[&[u8]]) -> Result<Names> {
        let mut names = Names::default();
        for module in modules {
            let listed = read_names(module)?;
            for (_, name) in listed.imports {
                let next = short(names.imports.len());
                names.imports.entry(name).or_insert(next);
            }
            for name in listed.exports {
                let next = short(names.exports.len());
                names.exports.entry(name).or_insert(next);
            }
        }
        Ok(names)
    }

    /// `module` with every import from [`MODULE`] and every name as the table says.
    pub fn rename(&self, module: &[u8]) -> Result<Vec<u8>> {
        let mut out = module.get(..8).ok_or("not a wasm module")?.to_vec();
        let mut at = 8;
        while at < module.len() {
            let id = module[at];
            let mut r = Reader {
                bytes: module,
                at: at + 1,
            };
            let size = r.u32()? as usize;
            let start = r.at;
            let end = start
                .checked_add(size)
                .filter(|&e| e <= module.len())
                .ok_or("a section runs past the end of the module")?;
            let body = &module[start..end];
            let new_body = match id {
                2 => Some(self.imports_section(body)?),
                7 => Some(self.exports_section(body)?),
                _ => None,
            };
            out.push(id);
            match new_body {
                Some(body) => {
                    leb(&mut out, body.len());
                    out.extend_from_slice(&body);
                }
                None => out.extend_from_slice(&module[at + 1..end]),
            }
            at = end;
        }
        Ok(out)
    }

    fn imports_section(&self, body: &[u8]) -> Result<Vec<u8>> {
        let mut r = Reader { bytes: body, at: 0 };
        let count = r.u32()? as usize;
        let mut out = Vec::with_capacity(body.len());
        leb(&mut out, count);
        for _ in 0..count {
            let _module = r.name()?;
            let name = r.name()?;
            let desc = r.import_desc()?;
            let new = self
                .imports
                .get(&name)
                .ok_or(format!("no short name for the import {name}"))?;
            put_name(&mut out, MODULE);
            put_name(&mut out, new);
            out.extend_from_slice(desc);
        }
        Ok(out)
    }

    fn exports_section(&self, body: &[u8]) -> Result<Vec<u8>> {
        let mut r = Reader { bytes: body, at: 0 };
        let count = r.u32()? as usize;
        let mut out = Vec::with_capacity(body.len());
        leb(&mut out, count);
        for _ in 0..count {
            let name = r.name()?;
            let kind_and_index = r.export_desc()?;
            let new = self
                .exports
                .get(&name)
                .ok_or(format!("no short name for the export {name}"))?;
            put_name(&mut out, new);
            out.extend_from_slice(kind_and_index);
        }
        Ok(out)
    }

    /// wasm-bindgen's glue with the table's names: each import is a key of its import object
    /// (`name: function(…)`), handed over as the module `./mitmachen_bg.js`; it calls exports
    /// as `wasm.name`. Fails if the glue does not define an import of the table exactly once
    /// (a wasm-bindgen that writes its glue differently), instead of shipping a glue without it.
    pub fn rewrite_glue(&self, glue: &str, module: &str) -> Result<String> {
        let mut glue = glue.to_owned();
        for (old, new) in &self.imports {
            let key = format!("{old}:");
            if glue.matches(&key).count() != 1 {
                return Err(format!("the glue does not define the import {old} once"));
            }
            glue = glue.replacen(&key, &format!("{new}:"), 1);
        }
        let handed = format!("\"{module}\": import0");
        if !glue.contains(&handed) {
            return Err(format!(
                "the glue does not hand over its imports as {handed}"
            ));
        }
        let glue = glue.replace(&handed, &format!("\"{MODULE}\": import0"));
        let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
        let mut out = String::with_capacity(glue.len());
        let mut rest = glue.as_str();
        while let Some(at) = rest.find("wasm.") {
            let (before, after) = rest.split_at(at + "wasm.".len());
            out.push_str(before);
            let end = after.find(|c: char| !ident(c)).unwrap_or(after.len());
            let name = &after[..end];
            let member = before[..at]
                .chars()
                .next_back()
                .is_some_and(|c| ident(c) || c == '.');
            match self.exports.get(name) {
                Some(new) if !member => out.push_str(new),
                _ => out.push_str(name),
            }
            rest = &after[end..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// The `n`th short name: `a` … `z`, `A` … `Z`, then two letters and so on (JavaScript
/// identifiers, as the glue's keys must be).
fn short(mut n: usize) -> String {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut name = vec![LETTERS[n % LETTERS.len()]];
    n /= LETTERS.len();
    while n > 0 {
        n -= 1;
        name.push(LETTERS[n % LETTERS.len()]);
        n /= LETTERS.len();
    }
    String::from_utf8(name).unwrap_or_default()
}

/// A module's imports (module, name) and exports, in order.
#[derive(Default)]
struct Listed {
    imports: Vec<(String, String)>,
    exports: Vec<String>,
}

fn read_names(module: &[u8]) -> Result<Listed> {
    if module.get(..4) != Some(b"\0asm") {
        return Err("not a wasm module".into());
    }
    let mut listed = Listed::default();
    let mut r = Reader {
        bytes: module,
        at: 8,
    };
    while r.at < module.len() {
        let id = r.byte()?;
        let size = r.u32()? as usize;
        let end = r.at + size;
        let mut s = Reader {
            bytes: module.get(..end).ok_or("a section runs past the end")?,
            at: r.at,
        };
        match id {
            2 => {
                for _ in 0..s.u32()? {
                    let from = s.name()?;
                    let name = s.name()?;
                    s.import_desc()?;
                    listed.imports.push((from, name));
                }
            }
            7 => {
                for _ in 0..s.u32()? {
                    listed.exports.push(s.name()?);
                    s.export_desc()?;
                }
            }
            _ => {}
        }
        r.at = end;
    }
    Ok(listed)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8> {
        let b = *self.bytes.get(self.at).ok_or("the module ends early")?;
        self.at += 1;
        Ok(b)
    }

    fn u64(&mut self) -> Result<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("a number in the module is too long".into())
    }

    fn u32(&mut self) -> Result<u32> {
        u32::try_from(self.u64()?).map_err(|_| "a number in the module is too large".into())
    }

    fn name(&mut self) -> Result<String> {
        let len = self.u32()? as usize;
        let bytes = self
            .bytes
            .get(self.at..self.at + len)
            .ok_or("a name runs past the end")?;
        self.at += len;
        String::from_utf8(bytes.to_vec()).map_err(|_| "a name is not UTF-8".into())
    }

    /// Skips an import's description (function, table, memory, global or tag); its bytes.
    fn import_desc(&mut self) -> Result<&'a [u8]> {
        let start = self.at;
        match self.byte()? {
            0x00 => {
                self.u32()?;
            }
            0x01 => {
                self.byte()?;
                self.limits()?;
            }
            0x02 => self.limits()?,
            0x03 => {
                self.byte()?;
                self.byte()?;
            }
            0x04 => {
                self.byte()?;
                self.u32()?;
            }
            kind => return Err(format!("an import of unknown kind {kind:#x}")),
        }
        Ok(&self.bytes[start..self.at])
    }

    fn limits(&mut self) -> Result<()> {
        let flags = self.byte()?;
        self.u64()?;
        if flags & 1 == 1 {
            self.u64()?;
        }
        Ok(())
    }

    /// Skips an export's kind and index; their bytes.
    fn export_desc(&mut self) -> Result<&'a [u8]> {
        let start = self.at;
        self.byte()?;
        self.u32()?;
        Ok(&self.bytes[start..self.at])
    }
}

fn leb(out: &mut Vec<u8>, mut n: usize) {
    loop {
        let b = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn put_name(out: &mut Vec<u8>, name: &str) {
    leb(out, name.len());
    out.extend_from_slice(name.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module with two function imports and a memory import, and two exports.
    fn module(imports: &[&str], exports: &[&str]) -> Vec<u8> {
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        // Type section: one type, () -> ().
        m.extend_from_slice(&[1, 4, 1, 0x60, 0, 0]);
        let mut body = Vec::new();
        leb(&mut body, imports.len() + 1);
        for name in imports {
            put_name(&mut body, "./mitmachen_bg.js");
            put_name(&mut body, name);
            body.extend_from_slice(&[0x00, 0x00]);
        }
        put_name(&mut body, "./mitmachen_bg.js");
        put_name(&mut body, "__wbindgen_memory");
        body.extend_from_slice(&[0x02, 0x01, 0x11, 0x80, 0x01]);
        m.push(2);
        leb(&mut m, body.len());
        m.extend_from_slice(&body);
        let mut body = Vec::new();
        leb(&mut body, exports.len());
        for (i, name) in exports.iter().enumerate() {
            put_name(&mut body, name);
            body.extend_from_slice(&[0x00, i as u8]);
        }
        m.push(7);
        leb(&mut m, body.len());
        m.extend_from_slice(&body);
        m
    }

    #[test]
    fn one_table_renames_every_module_and_the_glue() {
        let complete = module(&["__wbg_a_0123", "__wbg_b_4567"], &["mount_all", "adopt"]);
        let small = module(&["__wbg_b_4567"], &["mount_all"]);
        let names = Names::for_modules(&[&complete, &small]).expect("names");
        assert_eq!(names.imports["__wbg_a_0123"], "a");
        assert_eq!(names.imports["__wbg_b_4567"], "b");
        assert_eq!(names.imports["__wbindgen_memory"], "c");
        assert_eq!(names.exports["adopt"], "b");

        let renamed = names.rename(&small).expect("rename");
        let listed = read_names(&renamed).expect("read");
        assert_eq!(
            listed.imports,
            vec![("a".into(), "b".into()), ("a".into(), "c".into())]
        );
        assert_eq!(listed.exports, vec!["a".to_owned()]);
        // Everything else is as it was: the type section, and the memory's limits.
        assert_eq!(renamed[..14], small[..14]);
        assert!(renamed.ends_with(&[0x00, 0x00]));

        let glue = "const import0 = { __wbg_a_0123: function() {}, __wbg_b_4567: function() {}, \
                    __wbindgen_memory: function() {} };\nreturn { \"./mitmachen_bg.js\": import0 };\n\
                    wasm.mount_all(); wasm.adopt(x); towasm.adopt; a.wasm.adopt";
        let rewritten = names.rewrite_glue(glue, "./mitmachen_bg.js").expect("glue");
        assert_eq!(
            rewritten,
            "const import0 = { a: function() {}, b: function() {}, c: function() {} };\n\
             return { \"a\": import0 };\nwasm.a(); wasm.b(x); towasm.adopt; a.wasm.adopt"
        );
        assert!(
            names
                .rewrite_glue("const import0 = {};", "./mitmachen_bg.js")
                .is_err(),
            "an import the glue lacks is an error"
        );
    }

    #[test]
    fn short_names_are_distinct_identifiers() {
        let names: Vec<String> = (0..3000).map(short).collect();
        let distinct: std::collections::HashSet<&String> = names.iter().collect();
        assert_eq!(distinct.len(), names.len());
        assert_eq!(&names[..2], ["a", "b"]);
        assert_eq!(names[52], "aa");
        assert!(
            names
                .iter()
                .all(|n| n.chars().all(|c| c.is_ascii_alphabetic()))
        );
    }
}
