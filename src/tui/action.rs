//! What the user asked for, independent of the key (or mouse) that asked.

/// A user request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Leave the app.
    Quit,
    /// Stop the app and give the shell the terminal (Ctrl-Z); `fg` brings it back.
    Suspend,
    /// Show or hide the key list.
    ToggleHelp,
    /// Close an overlay, clear a filter, or go back a level.
    Back,
    /// Next environment tab.
    NextTab,
    /// Previous environment tab.
    PrevTab,
    /// Go to an environment by name (a prompt).
    Jump,
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
    /// A page (the visible height) down.
    PageDown,
    /// A page up.
    PageUp,
    /// Half a page down.
    HalfPageDown,
    /// Half a page up.
    HalfPageUp,
    /// To the first row.
    Top,
    /// To the last row.
    Bottom,
    /// Open what is selected: an environment on the All tab, an option's details on Options.
    Open,
    /// Filter a list, or search a text, as you type.
    Search,
    /// The next match of the search.
    NextMatch,
    /// The previous match of the search.
    PrevMatch,
    /// Sort the list by the next column.
    SortNext,
    /// Reverse the sort.
    SortReverse,
    /// Options: show or hide the other layouts and terms of the selected node type.
    ToggleExpand,
    /// Options: show or hide the options of another protocol than the app's.
    ToggleOtherProtocols,
    /// Options: every option, or only the ones that fit.
    ToggleFeasible,
    /// Options: select the recommended option.
    JumpToRecommended,
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
    /// Metrics: 1 day, 7 days, whole window.
    CycleZoom,
    /// Export the environment's report (Markdown) to a new file.
    Export,
    /// Say where prices come from.
    PricesInfo,
    /// Refresh the prices from the AWS Price List, in the background, and re-evaluate.
    RefreshPrices,
    /// Read the environment's metrics again (fetch a live cache now).
    RefetchMetrics,
}
