"""Everything people read: screens, JSON and CSV for scripts, and the one label table
(`views.labels`) that screens, sheets and messages use."""
