import {hasFlag, positionals, subcommand, type Checker, type Hit} from './rule.js';

/** Rules on clusters, infrastructure, cloud storage and containers' volumes. Pure. */

const kubectlValues = ['-n', '--namespace', '--context', '--cluster', '--kubeconfig', '-l', '--selector', '-o', '--output', '-f', '--filename', '--field-selector', '--grace-period', '--timeout', '--as', '--user', '-s', '--server', '--token', '--cascade'];

export const cluster: Checker = {
	screen: /\b(kubectl|oc|helm)\b/,
	check(command) {
		const hits: Hit[] = [];
		if (command.program === 'kubectl' || command.program === 'oc') {
			const {name, rest} = subcommand(command.args, kubectlValues);
			if (name !== 'delete') return [];
			const [kinds] = positionals(rest, kubectlValues);
			const kindList = (kinds?.text ?? '').toLowerCase().split(',');
			if (kindList.some(kind => /^(ns|namespaces?|projects?)(\/|$)/.test(kind))) hits.push({rule: 'kubectl-delete', what: `deletes a ${command.program === 'oc' && kindList.some(kind => kind.startsWith('project')) ? 'project' : 'namespace'} and all in it`});
			else if (hasFlag(rest, undefined, '--all')) hits.push({rule: 'kubectl-delete', what: 'kubectl delete --all'});
			else if (hasFlag(rest, 'A', '--all-namespaces')) hits.push({rule: 'kubectl-delete', what: 'kubectl delete in every namespace'});
			else if (kindList.some(kind => /^(pvc|pv|persistentvolumes?|persistentvolumeclaims?|crd|customresourcedefinitions?)(\/|$)/.test(kind))) hits.push({rule: 'kubectl-delete', what: 'deletes stored volumes or resource definitions'});
		}

		if (command.program === 'helm') {
			const {name} = subcommand(command.args, ['-n', '--namespace', '--kube-context', '--kubeconfig']);
			if (name && ['uninstall', 'delete', 'del', 'un'].includes(name)) hits.push({rule: 'helm-uninstall', what: 'helm uninstall'});
		}

		return hits;
	},
};

export const terraform: Checker = {
	screen: /\b(terraform|tofu|terragrunt|pulumi|cdk)\b/,
	check(command) {
		if (!['terraform', 'tofu', 'terragrunt', 'pulumi', 'cdk'].includes(command.program)) return [];
		const words = positionals(command.args).map(arg => arg.text);
		const action = words[0] === 'run-all' || (command.program === 'terragrunt' && words[0] === 'run') ? words[1] : words[0];
		if (action === 'destroy' || (action === 'apply' && hasFlag(command.args, undefined, '-destroy', '--destroy'))) {
			return [{rule: 'terraform-destroy', what: `${command.program} ${action === 'destroy' ? 'destroy' : 'apply -destroy'}`}];
		}

		if (command.program === 'pulumi' && action === 'stack' && words[1] === 'rm') return [{rule: 'terraform-destroy', what: 'pulumi stack rm'}];
		return [];
	},
};

const awsDeletes = /^(delete-(bucket|table|db-instance|db-cluster|stack|cluster|function|repository|file-system|volume|user-pool|secret|log-group|domain|hosted-zone|vpc|snapshot|backup-vault|keyspace|global-table|index|collection|namespace|service|distribution)|terminate-instances|delete-objects|remove-tags)$/;

export const cloud: Checker = {
	screen: /\b(aws|gcloud|gsutil|az|s3cmd|rclone)\b/,
	check(command) {
		const words = positionals(command.args, ['--profile', '--region', '--output', '--endpoint-url', '--project', '--subscription', '-g', '--resource-group', '--format']).map(arg => arg.text);
		switch (command.program) {
			case 'aws': {
				const [service, action] = words;
				if (service === 's3' && action === 'rm' && hasFlag(command.args, undefined, '--recursive')) return [{rule: 'aws-s3-delete', what: 'aws s3 rm --recursive'}];
				if (service === 's3' && action === 'rb' && hasFlag(command.args, undefined, '--force')) return [{rule: 'aws-s3-delete', what: 'aws s3 rb --force (deletes the bucket and all in it)'}];
				if (service === 's3api' && action === 'delete-bucket') return [{rule: 'aws-s3-delete', what: 'aws s3api delete-bucket'}];
				if (action && awsDeletes.test(action)) return [{rule: 'cloud-delete', what: `aws ${service} ${action}`}];
				return [];
			}

			case 'gcloud': {
				if (words.includes('delete')) return [{rule: 'cloud-delete', what: `gcloud ${words.slice(0, words.indexOf('delete') + 1).join(' ')}`}];
				if (words[0] === 'storage' && words[1] === 'rm' && hasFlag(command.args, 'r', '--recursive')) return [{rule: 'cloud-delete', what: 'gcloud storage rm --recursive'}];
				return [];
			}

			case 'gsutil':
				if ((words[0] === 'rm' && hasFlag(command.args, 'r')) || words[0] === 'rb') return [{rule: 'cloud-delete', what: `gsutil ${words[0]}${words[0] === 'rm' ? ' -r' : ''}`}];
				return [];
			case 'az':
				if (words.includes('delete')) return [{rule: 'cloud-delete', what: `az ${words.slice(0, words.indexOf('delete') + 1).join(' ')}`}];
				return [];
			case 'rclone':
				if (['purge', 'delete'].includes(words[0] ?? '')) return [{rule: 'cloud-delete', what: `rclone ${words[0]}`}];
				return [];
			case 's3cmd':
				if ((words[0] === 'del' || words[0] === 'rm') && hasFlag(command.args, 'r', '--recursive')) return [{rule: 'aws-s3-delete', what: 's3cmd del --recursive'}];
				if (words[0] === 'rb') return [{rule: 'aws-s3-delete', what: 's3cmd rb'}];
				return [];
			default:
				return [];
		}
	},
};

export const dockerData: Checker = {
	screen: /\b(docker|podman|docker-compose)\b/,
	check(command) {
		if (!['docker', 'podman', 'docker-compose'].includes(command.program)) return [];
		const words = positionals(command.args, ['-f', '--file', '-p', '--project-name', '--context', '-H', '--host', '--filter', '--profile']).map(arg => arg.text);
		const compose = command.program === 'docker-compose' ? words : words[0] === 'compose' ? words.slice(1) : undefined;
		if (compose?.[0] === 'down' && hasFlag(command.args, 'v', '--volumes')) return [{rule: 'docker-volumes', what: 'compose down --volumes (deletes the volumes\' data)'}];
		if (words[0] === 'volume' && ['rm', 'prune', 'remove'].includes(words[1] ?? '')) return [{rule: 'docker-volumes', what: `${command.program} volume ${words[1]}`}];
		if (words[0] === 'system' && words[1] === 'prune' && hasFlag(command.args, undefined, '--volumes')) return [{rule: 'docker-volumes', what: 'system prune --volumes'}];
		if (words[0] === 'system' && words[1] === 'prune' && hasFlag(command.args, 'a', '--all')) return [{rule: 'docker-prune-all', what: 'system prune --all (every image, stopped container and build cache)'}];
		return [];
	},
};
