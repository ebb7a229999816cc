//! Words of a name: the one place text (a summary, an operationId, a path) is cut into the
//! lowercase words that Rust names are made of.
//!
//! Text is cut at everything that is not a letter or digit, and a possessive `'s` goes with
//! its word, and an optional plural `(s)` is the plural (`ID(s)` → `ids`). Within a run of letters and digits, camel case is cut as usual (`listZones` →
//! `list zones`, `DNSRecords` → `dns records`, `getIPs` → `get ips`), with one rule for
//! acronyms: a capital followed only by a plural `s` (or `es`), or by nothing, does not start a
//! word. So a pluralized or mixed-case acronym stays whole: `URLs` → `urls`, `ACLs` → `acls`,
//! `CAs` → `cas`, `IDs` → `ids`, `MOASes` → `moases`, `PoPs` → `pops`, `SaaS` → `saas`; a
//! capital run followed by one lowercase letter and digits is one word (`IPv4` → `ipv4`), as is
//! one lowercase letter before capitals at the start (`mTLS` → `mtls`).
//!
//! Text that was already cut by a converter without that rule (Cloudflare's operationIds:
//! `list-ac-ls`, `short-lived-certificate-c-as`, `different-po-ps`) is mended by
//! [`mend_split_acronyms`]: a word of one lowercase letter and `s` after a word of at most two
//! letters was the end of a pluralized acronym.

/// The lowercase words of `text` (see the module docs).
pub fn words(text: &str) -> Vec<String> {
    let text = text.replace("'s ", " ").replace("\u{2019}s ", " ");
    let text = text
        .strip_suffix("'s")
        .or_else(|| text.strip_suffix("\u{2019}s"))
        .unwrap_or(&text);
    // `ID(s)`, `rule(s)`: an optional plural is the plural.
    let text = text.replace("(s)", "s").replace("(S)", "S");
    let mut out = Vec::new();
    for run in text.split(|c: char| !c.is_ascii_alphanumeric()) {
        let chars: Vec<char> = run.chars().collect();
        let mut start = 0;
        for cut in cuts(&chars) {
            out.push(lower(&chars[start..cut]));
            start = cut;
        }
        if start < chars.len() {
            out.push(lower(&chars[start..]));
        }
    }
    out
}

fn lower(chars: &[char]) -> String {
    chars.iter().collect::<String>().to_ascii_lowercase()
}

/// Where the camel-case words of a run of letters and digits start (after the first).
fn cuts(chars: &[char]) -> Vec<usize> {
    let lowercase_run = |from: usize| {
        chars[from..]
            .iter()
            .take_while(|c| c.is_ascii_lowercase())
            .count()
    };
    let mut cuts = Vec::new();
    for i in 1..chars.len() {
        let (prev, here) = (chars[i - 1], chars[i]);
        if here.is_ascii_uppercase() && (prev.is_ascii_lowercase() || prev.is_ascii_digit()) {
            // `mTLS`: one lowercase letter before capitals at the start is a prefix.
            let prefix = i == 1 && prev.is_ascii_lowercase();
            // `PoPs`, `SaaS`: a capital closing at most two lowercase letters after a capital,
            // followed by nothing or a plural `s`, ends a mixed-case acronym.
            let rest = &chars[i + 1..];
            let closes_acronym = (rest.is_empty() || rest == ['s']) && {
                let run = chars[..i]
                    .iter()
                    .rev()
                    .take_while(|c| c.is_ascii_lowercase())
                    .count();
                run <= 2 && i > run && chars[i - run - 1].is_ascii_uppercase()
            };
            if !prefix && !closes_acronym {
                cuts.push(i);
            }
        } else if here.is_ascii_lowercase()
            && prev.is_ascii_uppercase()
            && i >= 3
            && chars[i - 2].is_ascii_uppercase()
            && chars[i - 3].is_ascii_uppercase()
            && lowercase_run(i) >= 2
            && chars[i..] != ['e', 's']
            && cuts.last() != Some(&(i - 1))
        {
            // `DNSRecord`: the last capital of a run of three or more starts the word that
            // follows it, when that is a word (two lowercase letters or more, not a plural
            // `es`): not `URLs`, `IPv4`, `MOASes`, nor `IPsec`, whose run is two.
            cuts.push(i - 1);
        }
    }
    cuts
}

/// Mends words cut by a converter that splits pluralized acronyms (`ac ls` → `acls`, `c as` →
/// `cas`, `po ps` → `pops`, `ur ls` → `urls`, `i ds` → `ids`): a word of one letter and `s`
/// after a word of one or two letters joins it.
pub fn mend_split_acronyms(words: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    for word in words {
        let plural_tail = word.len() == 2
            && word.ends_with('s')
            && word.starts_with(|c: char| c.is_ascii_lowercase());
        match out.last_mut() {
            Some(previous)
                if plural_tail
                    && (1..=2).contains(&previous.len())
                    && previous.chars().all(|c| c.is_ascii_lowercase()) =>
            {
                previous.push_str(&word);
            }
            _ => out.push(word),
        }
    }
    out
}

/// Whether a name holds a pluralized acronym of `source` (its summary or operationId) cut in
/// two (`list_ac_ls` for `List ACLs`: one or two letters, then a letter and `s`, which joined
/// are a word of the source): the mark of a broken acronym, which no generated name may
/// carry. Two words of the name that are also words of the source (`by_as_number` for `by AS
/// number`) are not one.
pub fn has_split_acronym(name: &str, source: &str) -> bool {
    let source: Vec<String> = words(source);
    let name: Vec<&str> = name.trim_start_matches("r#").split('_').collect();
    name.windows(2).any(|pair| {
        let joined = format!("{}{}", pair[0], pair[1]);
        // The shape a converter leaves: one or two letters, then one letter and `s`.
        let shape = (1..=2).contains(&pair[0].len())
            && pair[1].len() == 2
            && pair[1].ends_with('s')
            && pair
                .iter()
                .all(|w| w.chars().all(|c| c.is_ascii_lowercase()));
        shape
            && source.contains(&joined)
            && !source.iter().any(|w| w == pair[0])
            && !source.iter().any(|w| w == pair[1])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joined(text: &str) -> String {
        words(text).join("_")
    }

    #[test]
    fn pluralized_and_mixed_case_acronyms_stay_whole() {
        for (text, want) in [
            (
                "Upload videos via direct upload URLs",
                "upload_videos_via_direct_upload_urls",
            ),
            ("List ACLs", "list_acls"),
            (
                "List short-lived certificate CAs",
                "list_short_lived_certificate_cas",
            ),
            (
                "Argo analytics for a zone at different PoPs",
                "argo_analytics_for_a_zone_at_different_pops",
            ),
            ("Get IDs", "get_ids"),
            ("getIPs", "get_ips"),
            ("SaaS apps", "saas_apps"),
            ("IPv4 and IPv6 prefixes", "ipv4_and_ipv6_prefixes"),
            ("Get MOASes", "get_moases"),
            ("List IPsec tunnels", "list_ipsec_tunnels"),
            (
                "List all mTLS hostname settings",
                "list_all_mtls_hostname_settings",
            ),
            ("Get configurations by ID(s)", "get_configurations_by_ids"),
        ] {
            assert_eq!(joined(text), want, "{text}");
        }
    }

    #[test]
    fn camel_case_is_cut_at_word_starts() {
        for (text, want) in [
            ("listZones", "list_zones"),
            ("DNSRecords", "dns_records"),
            ("getHTTPResponse", "get_http_response"),
            ("createAccountRuleset", "create_account_ruleset"),
            ("Get URL scan's HAR", "get_url_scan_har"),
            ("zones-0-delete", "zones_0_delete"),
            ("HTTP/2 settings", "http_2_settings"),
            ("x", "x"),
        ] {
            assert_eq!(joined(text), want, "{text}");
        }
    }

    #[test]
    fn words_cut_by_a_naive_converter_are_mended() {
        let mend = |text: &str| mend_split_acronyms(words(text)).join("_");
        assert_eq!(
            mend("secondary-dns-(-acl)-list-ac-ls"),
            "secondary_dns_acl_list_acls"
        );
        assert_eq!(
            mend("list-short-lived-certificate-c-as"),
            "list_short_lived_certificate_cas"
        );
        assert_eq!(mend("at-different-po-ps"), "at_different_pops");
        assert_eq!(mend("cloudflare-i-ps-details"), "cloudflare_ips_details");
        // Real short words are left alone.
        assert_eq!(mend("what-is-new"), "what_is_new");
        assert_eq!(mend("get-a-list"), "get_a_list");
        assert!(has_split_acronym("list_ac_ls", "List ACLs"));
        assert!(has_split_acronym(
            "upload_videos_via_direct_upload_ur_ls",
            "Upload videos via direct upload URLs"
        ));
        assert!(!has_split_acronym("list_acls", "List ACLs"));
        assert!(!has_split_acronym("get_by_as_number", "Get by AS number"));
    }
}
