//! Stage 4: passes over the lowered IR. Each is a `fn(&mut Api)` in a module of its own,
//! testable alone on an [`Api`] built by hand or lowered from a small fixture; [`PASSES`]
//! runs them in this order, and the order matters where noted:
//!
//! 1. [`paginate_reads_only`]: a paged list answered to a write is its first page only;
//! 2. [`optional_delete_results`]: a delete's result becomes optional;
//! 3. [`tag_unions`]: unions whose variants one property tells apart get that tag;
//! 4. [`strip_union_tags`]: variant structs of tagged unions lose the tag property, which the
//!    union writes (after 3);
//! 5. [`order_unions`]: untagged unions try their most specific variant first (after 3,
//!    which exempts tagged unions);
//! 6. [`break_alias_cycles`]: an alias that reaches itself becomes JSON;
//! 7. [`adopt_aliased_types`]: a component that only renames an inline type becomes it
//!    (after 6);
//! 8. [`mark_usage`]: which directions (sent, received, parameter) each type is used in;
//! 9. [`split_directions`]: request types lose read-only properties, response types
//!    write-only ones; a type used both ways whose views differ is split in two (after 8);
//! 10. [`merge_identical`]: inline types of identical shape in one group become one, their
//!     directions of use combined (after 3–9, so types compare in their final form, request
//!     copies included);
//! 11. [`box_recursion`]: fields and variants that make a type contain itself are boxed
//!     (after 10, which changes the graph);
//! 12. [`compact`]: types used in no direction (merged away, tag enums, never reached) are
//!     removed and the ids renumbered (last, so naming, emit and diff see only live types).
//!
//! A new pass goes in a new module here and into [`PASSES`] at the place its inputs are ready.

pub mod adopt_aliased_types;
pub mod box_recursion;
pub mod break_alias_cycles;
pub mod compact;
pub mod mark_usage;
pub mod merge_identical;
pub mod optional_delete_results;
pub mod order_unions;
pub mod paginate_reads_only;
pub mod split_directions;
pub mod strip_union_tags;
pub mod tag_unions;

use crate::ir::Api;

/// A pass: a name (for reports and tests) and the function.
pub struct Pass {
    /// The pass's module name.
    pub name: &'static str,
    /// Runs the pass.
    pub run: fn(&mut Api),
}

/// Every pass, in the order [`run`] applies them.
pub const PASSES: &[Pass] = &[
    Pass {
        name: "paginate_reads_only",
        run: paginate_reads_only::paginate_reads_only,
    },
    Pass {
        name: "optional_delete_results",
        run: optional_delete_results::optional_delete_results,
    },
    Pass {
        name: "tag_unions",
        run: tag_unions::tag_unions,
    },
    Pass {
        name: "strip_union_tags",
        run: strip_union_tags::strip_union_tags,
    },
    Pass {
        name: "order_unions",
        run: order_unions::order_unions,
    },
    Pass {
        name: "break_alias_cycles",
        run: break_alias_cycles::break_alias_cycles,
    },
    Pass {
        name: "adopt_aliased_types",
        run: adopt_aliased_types::adopt_aliased_types,
    },
    Pass {
        name: "mark_usage",
        run: mark_usage::mark_usage,
    },
    Pass {
        name: "split_directions",
        run: split_directions::split_directions,
    },
    Pass {
        name: "merge_identical",
        run: merge_identical::merge_identical,
    },
    Pass {
        name: "box_recursion",
        run: box_recursion::box_recursion,
    },
    Pass {
        name: "compact",
        run: compact::compact,
    },
];

/// Runs every pass in order, then sorts the degraded items (passes add to them).
pub fn run(api: &mut Api) {
    for pass in PASSES {
        (pass.run)(api);
    }
    api.degraded.sort();
    api.degraded.dedup();
}
