//! What the user asked for, independent of the key that asked.

/// A user request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Leave the app.
    Quit,
    /// Show or hide the key list.
    ToggleHelp,
    /// Close an overlay, or go back.
    Back,
    /// Next environment tab.
    NextTab,
    /// Previous environment tab.
    PrevTab,
    /// Show the option table.
    ShowOptions,
    /// Show the recommendation.
    ShowRecommendation,
    /// Show the metric charts.
    ShowMetrics,
    /// Move the selection or scroll down.
    Down,
    /// Move the selection or scroll up.
    Up,
    /// A page down.
    PageDown,
    /// A page up.
    PageUp,
    /// To the first row.
    Top,
    /// To the last row.
    Bottom,
    /// Open the selected option's line items.
    OpenLines,
    /// What-if: more data.
    DataUp,
    /// What-if: less data.
    DataDown,
    /// What-if: more requests.
    RequestsUp,
    /// What-if: fewer requests.
    RequestsDown,
    /// What-if: faster growth.
    GrowthUp,
    /// What-if: slower growth.
    GrowthDown,
    /// What-if: the next engine.
    CycleEngine,
    /// What-if: HA on/off.
    ToggleHa,
    /// What-if: the measured workload instead of the plan's.
    ToggleMeasured,
    /// What-if: back to the plan.
    ResetWhatIf,
    /// Options: every option, or only the ones that fit.
    ToggleFeasible,
    /// Metrics: 1 day, 7 days, whole window.
    CycleZoom,
    /// Export the environment's report (Markdown) to a new file.
    Export,
    /// Say where prices come from (refreshing them from the AWS Price List is a later issue).
    RefreshPricing,
}
