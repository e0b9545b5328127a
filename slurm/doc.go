// Package slurm measures a backlog of videos on a Slurm cluster: one job
// array whose tasks each measure one video with `auwatchd process
// --manifest M --index I`, the same engine as on the desktop. It finds the
// videos by the watcher's rules, writes a job folder, submits, follows,
// resubmits the failed and missing tasks, and loads the CSVs the tasks
// wrote into the store.
//
// A job folder, .auwatchd-slurm/JOBID/ beside the inputs (JOBID is the
// first submission's job id), holds:
//
//	manifest.json   the videos in task order, the options, every submission
//	task.sh         the batch script of the first submission
//	tasks/I.json    task I's record: its CSV and figures, or why it failed
//	JOB_I.log       task I's output in submission JOB
//
// Tasks write only files (the CSV beside the video and their record), never
// the database: SQLite does not belong on a network file system. Slurm's
// commands run through a Runner, so that tests can stand in for a cluster.
package slurm
