package watcher

// entryCost is what each entry of a watched directory costs: fsnotify's kqueue backend opens a
// descriptor for the directory and one for every entry in it, files included, because kqueue
// reports changes only on open descriptors (fsnotify #129, #358). There is no way to watch a
// directory alone, so the budget counts them all.
const entryCost = 1

// maxWatchBudget caps the default budget: kqueue's descriptors come from the system-wide file
// table (kern.maxfiles) that every program shares, and Go raises the daemon's own limit to tens
// of thousands.
const maxWatchBudget = 8192
