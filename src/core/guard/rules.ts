import type {Checker, RuleAction, RuleInfo} from './rule.js';
import {cloud, cluster, dockerData, terraform} from './rules-cloud.js';
import {databases, mongo, redis} from './rules-data.js';
import {diskWipe, findDelete, removal} from './rules-files.js';
import {git} from './rules-git.js';

/**
 * Every built-in rule by name, with what it does by default: `deny` for clear destruction, `ask` for a doubt (the
 * user decides in the agent). `guard.rules.<name>: off | ask | deny` in the config changes one.
 */
export const builtinRules: RuleInfo[] = [
	{name: 'sql-delete-without-where', action: 'deny', about: 'DELETE without a WHERE'},
	{name: 'sql-update-without-where', action: 'deny', about: 'UPDATE without a WHERE'},
	{name: 'sql-always-true-where', action: 'deny', about: 'DELETE or UPDATE whose WHERE is always true (1=1, TRUE, id = id, ... OR 1=1)'},
	{name: 'sql-broad-where', action: 'ask', about: 'DELETE or UPDATE whose WHERE matches nearly every row (id > 0, x IS NOT NULL, LIKE \'%\')'},
	{name: 'sql-drop', action: 'deny', about: 'DROP TABLE, DATABASE or SCHEMA'},
	{name: 'sql-truncate', action: 'deny', about: 'TRUNCATE'},
	{name: 'sql-alter-drop', action: 'deny', about: 'ALTER TABLE ... DROP (a column, a constraint)'},
	{name: 'sql-unparsed', action: 'ask', about: 'SQL that may change data but does not parse, comes from a variable, or is in a file that cannot be read'},
	{name: 'mongo-delete-all', action: 'deny', about: 'mongosh deleteMany({}) or remove({})'},
	{name: 'mongo-drop', action: 'deny', about: 'mongosh drop() or dropDatabase()'},
	{name: 'redis-flush', action: 'deny', about: 'redis-cli FLUSHALL or FLUSHDB'},
	{name: 'rm-protected', action: 'deny', about: 'recursive rm of /, ~ or $HOME (or what holds it), a system folder, a folder above the current one (..), * there, or the main checkout or its .git'},
	{name: 'rm-unknown-path', action: 'ask', about: 'recursive rm of "$VAR/" or "$VAR/*": the root if the variable is empty'},
	{name: 'find-delete', action: 'deny', about: 'find -delete or -exec rm over the same places as rm-protected'},
	{name: 'disk-wipe', action: 'deny', about: 'dd, mkfs, wipefs, shred, blkdiscard, sgdisk --zap-all, parted mklabel or a redirect onto a disk device'},
	{name: 'git-force-push', action: 'deny', about: 'git push --force, -f, --force-with-lease, --mirror or a +refspec'},
	{name: 'git-push-delete', action: 'deny', about: 'git push --delete, --prune or a :branch refspec'},
	{name: 'git-delete-base-branch', action: 'deny', about: 'git branch -D of main, master or the main checkout\'s branch'},
	{name: 'git-reset-hard', action: 'deny', about: 'git reset --hard, checkout -f, checkout/restore . or stash clear in the main checkout'},
	{name: 'git-clean', action: 'deny', about: 'git clean -f in the main checkout'},
	{name: 'kubectl-delete', action: 'deny', about: 'kubectl (or oc) delete of a namespace, with --all or -A, or of volumes and resource definitions'},
	{name: 'helm-uninstall', action: 'deny', about: 'helm uninstall'},
	{name: 'terraform-destroy', action: 'deny', about: 'terraform (tofu, terragrunt, pulumi, cdk) destroy or apply -destroy'},
	{name: 'aws-s3-delete', action: 'deny', about: 'aws s3 rm --recursive, s3 rb --force, s3api delete-bucket, s3cmd del -r'},
	{name: 'cloud-delete', action: 'deny', about: 'gcloud ... delete, az ... delete, aws delete-table (and the like), gsutil rm -r, rclone purge'},
	{name: 'docker-volumes', action: 'deny', about: 'docker volume rm or prune, system prune --volumes, compose down --volumes'},
	{name: 'docker-prune-all', action: 'ask', about: 'docker system prune --all'},
	{name: 'shell-unjudgeable', action: 'ask', about: 'a command the guard cannot take apart: it does not parse, or eval / sh -c runs a string made at run time'},
];

export const checkers: Checker[] = [databases, mongo, redis, removal, findDelete, diskWipe, git, cluster, terraform, cloud, dockerData];

export function defaultAction(rule: string): RuleAction | undefined {
	return builtinRules.find(each => each.name === rule)?.action;
}
