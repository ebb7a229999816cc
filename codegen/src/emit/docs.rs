//! Rustdoc text: the docs of values, Markdown made safe for rustdoc, doc attributes, and the
//! identifiers the names become.

use super::*;

pub(super) fn push_value_docs(out: &mut String, docs: &Docs) {
    let mut notes = Vec::new();
    if let Some(f) = &docs.format {
        notes.push(format!("Format: `{f}`."));
    }
    if let Some(d) = &docs.default {
        notes.push(format!("Default: `{d}`."));
    }
    if let Some(e) = &docs.example {
        notes.push(format!("Example: `{}`.", e.replace('`', "'")));
    }
    if docs.read_only {
        notes.push("Read-only.".into());
    }
    if docs.write_only {
        notes.push("Write-only.".into());
    }
    if !notes.is_empty() {
        out.push_str(&notes.join(" "));
        out.push('\n');
    }
}

pub(super) fn first_line(s: &str) -> String {
    s.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
        .to_owned()
}

/// Makes spec markdown safe as rustdoc: fenced blocks are marked `text` (so they are not
/// compiled as doctests), and indentation that would start an indented code block is removed.
pub fn sanitize_markdown(s: &str) -> String {
    let mut out = Vec::new();
    let mut in_fence = false;
    for line in s.replace("\r\n", "\n").replace('\r', "\n").lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            if in_fence {
                out.push("```".to_owned());
            } else {
                out.push("```text".to_owned());
            }
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            out.push(line.to_owned());
        } else {
            out.push(collapse_marker_indent(trimmed.trim_end()));
        }
    }
    if in_fence {
        out.push("```".to_owned());
    }
    out.join("\n").trim().to_owned()
}

/// Whitespace after blockquote (`>`) and list (`-`, `*`, `+`, `1.`) markers is collapsed to
/// one space: four or more would start an indented code block that rustdoc compiles.
pub(super) fn collapse_marker_indent(line: &str) -> String {
    let mut rest = line;
    let mut quotes = 0;
    while let Some(r) = rest.strip_prefix('>') {
        quotes += 1;
        rest = r.trim_start();
    }
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let marker_len = match rest.as_bytes().get(digits) {
        Some(b'.' | b')') if digits > 0 => digits + 1,
        Some(b'-' | b'*' | b'+') if digits == 0 => 1,
        _ => 0,
    };
    let (marker, body) = rest.split_at(marker_len);
    let body = if marker_len > 0 && body.starts_with(char::is_whitespace) {
        format!("{marker} {}", body.trim_start())
    } else {
        rest.to_owned()
    };
    if quotes == 0 {
        body
    } else {
        format!("{} {body}", ">".repeat(quotes))
            .trim_end()
            .to_owned()
    }
}

/// `#[doc = " line"]` per line.
pub(super) fn doc_lines(text: &str) -> TokenStream {
    let lines = text.trim_end().lines().map(|l| {
        if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        }
    });
    quote! { #( #[doc = #lines] )* }
}

/// `#![doc = " line"]` per line (module and crate docs).
pub(super) fn inner_doc_lines(text: &str) -> TokenStream {
    let lines = text.trim_end().lines().map(|l| {
        if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        }
    });
    quote! { #( #![doc = #lines] )* }
}

/// The setter that sends `null` for an optional nullable field: `<field>_null`, or
/// `<field>_to_null` if a field has that name.
pub(super) fn null_setter_name(field: &str, fields: &BTreeSet<&str>) -> String {
    let field = field.trim_start_matches("r#");
    let plain = format!("{field}_null");
    if fields.contains(plain.as_str()) {
        format!("{field}_to_null")
    } else {
        plain
    }
}

/// The setter of a field: its name, unless that is `new` (the constructor's).
pub(super) fn setter_name(field: &str) -> String {
    if field == "new" {
        "with_new".to_owned()
    } else {
        field.to_owned()
    }
}

/// An identifier from a name the naming pass made (raw identifiers spelled `r#name`).
/// Anything that is not a valid identifier is mapped to one rather than panicking.
pub fn ident(name: &str) -> Ident {
    let (raw, body) = match name.strip_prefix("r#") {
        Some(rest) => (true, rest),
        None => (false, name),
    };
    let mut clean: String = body
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if clean.is_empty() || clean == "_" {
        clean = "unnamed".into();
    }
    if clean.starts_with(|c: char| c.is_ascii_digit()) {
        clean.insert(0, '_');
    }
    if raw && !matches!(clean.as_str(), "self" | "Self" | "super" | "crate") {
        Ident::new_raw(&clean, Span::call_site())
    } else {
        Ident::new(&clean, Span::call_site())
    }
}

#[cfg(test)]
mod tests {
    use super::sanitize_markdown;

    #[test]
    fn markdown_that_rustdoc_would_compile_is_neutralized() {
        let doc = "Intro\n```\nlet x = 1;\n```\n    indented code\n>                        | Greater Than | %3E\n-      item\n12.     step";
        assert_eq!(
            sanitize_markdown(doc),
            "Intro\n```text\nlet x = 1;\n```\nindented code\n> | Greater Than | %3E\n- item\n12. step"
        );
    }
}
