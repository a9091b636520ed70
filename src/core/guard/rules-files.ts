import {placeOf, protectedPlace} from './places.js';
import {hasFlag, positionals, type Checker, type Hit} from './rule.js';

/** Rules on files and disks: recursive removal of what cannot be got back, find -delete, and wiping devices. Pure. */

/** Disks and partitions (not /dev/null, /dev/zero, /dev/stdout or a tty). */
const device = /^\/dev\/(sd|hd|vd|xvd|nvme|mmcblk|md\d|dm-|loop\d|disk\d|rdisk\d|mapper\/|sr\d|root$|mtd)/;

export const removal: Checker = {
	screen: /\brm\b/,
	check(command, context) {
		if (command.program !== 'rm') return [];
		const hits: Hit[] = [];
		// find ... | xargs rm: what find lists is removed, recursive or not (it lists the files themselves).
		const listed = command.moreArgs && command.stdin && 'findStarts' in command.stdin ? command.stdin.findStarts ?? [] : [];
		for (const start of listed) {
			const why = protectedPlace(placeOf(start, command.cwd ?? context.cwd, context.home, command.remote), command, context);
			if (why) hits.push({rule: 'find-delete', what: `find | xargs rm in ${why}`});
		}

		if (!hasFlag(command.args, 'r', '--recursive') && !hasFlag(command.args, 'R')) return hits;

		for (const target of positionals(command.args)) {
			if (!target.literal && /^\$\{?\w+\}?\/\*?$/.test(target.text) && !/^\$\{?HOME\}?/.test(target.text)) {
				hits.push({rule: 'rm-unknown-path', what: `rm -r of ${target.text}, a path known only when it runs`});
				continue;
			}

			const why = protectedPlace(placeOf(target.text, command.cwd ?? context.cwd, context.home, command.remote), command, context);
			if (why) hits.push({rule: 'rm-protected', what: `recursive rm of ${why}`});
		}

		return hits;
	},
};

export const findDelete: Checker = {
	screen: /\bfind\b[\s\S]*-(delete|exec|execdir|ok|okdir)\b|\bfind\b[\s\S]*\|[\s\S]*\brm\b/,
	check(command, context) {
		if (command.program !== 'find') return [];
		const words = command.args.map(arg => arg.text);
		const execs = words.flatMap((word, index) => (/^-(exec|execdir|ok|okdir)$/.test(word) ? [words[index + 1] ?? ''] : []));
		const deletes = words.includes('-delete') || execs.some(program => /(^|\/)(rm|shred|unlink)$/.test(program));
		if (!deletes) return [];
		const first = words.findIndex(word => /^[-(!]/.test(word) && !['-H', '-L', '-P'].includes(word));
		const starts = (first === -1 ? words : words.slice(0, first)).filter(word => !['-H', '-L', '-P'].includes(word));
		for (const start of starts.length > 0 ? starts : ['.']) {
			const why = protectedPlace(placeOf(start, command.cwd ?? context.cwd, context.home, command.remote), command, context);
			if (why) return [{rule: 'find-delete', what: `find -delete in ${why}`}];
		}

		return [];
	},
};

export const diskWipe: Checker = {
	screen: /\b(dd|mkfs|mke2fs|mkswap|wipefs|shred|blkdiscard|sgdisk|parted)\b|\/dev\//,
	check(command) {
		const onDevice = command.args.some(arg => device.test(arg.text.replace(/^of=/, '')));
		const hits: Hit[] = [];
		for (const written of command.writes) {
			if (device.test(written)) hits.push({rule: 'disk-wipe', what: `write over the device ${written}`});
		}

		switch (command.program) {
			case 'dd': {
				const target = command.args.find(arg => arg.text.startsWith('of='))?.text.slice(3);
				if (target && device.test(target)) hits.push({rule: 'disk-wipe', what: `dd onto the device ${target}`});
				break;
			}

			case 'wipefs':
			case 'blkdiscard':
			case 'mkswap':
			case 'mke2fs':
				if (onDevice) hits.push({rule: 'disk-wipe', what: `${command.program} of a device`});
				break;
			case 'shred':
				if (onDevice) hits.push({rule: 'disk-wipe', what: 'shred of a device'});
				break;
			case 'sgdisk':
				if (hasFlag(command.args, 'Z', '--zap-all') || hasFlag(command.args, 'o', '--clear')) hits.push({rule: 'disk-wipe', what: 'sgdisk wiping a partition table'});
				break;
			case 'parted':
				if (command.args.some(arg => /^(mklabel|rm|mktable)$/.test(arg.text))) hits.push({rule: 'disk-wipe', what: 'parted rewriting a partition table'});
				break;
			default:
				if (/^mkfs(\.|$)/.test(command.program)) hits.push({rule: 'disk-wipe', what: `${command.program}: a new file system over what is there`});
		}

		return hits;
	},
};
