export { startSystem, WALL_DIST_DIRECTORY, type RunningSystem } from './system';
export { loadConfig } from './config-file';
export { createRootLogger } from './logger';
export { DailyReportScheduler, dueReportDate, writeDailyReport, dailyReportPaths, type DailyReportSchedulerOptions } from './reports/daily-report';
