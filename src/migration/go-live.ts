/** Without --go-live, the migration review assumes go-live this many days from today. */
export const DEFAULT_GO_LIVE_DAYS = 30;
