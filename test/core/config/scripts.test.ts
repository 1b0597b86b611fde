// configuredScripts lists every script of a configuration with its model path: real servers' notify
// scripts and MISC_CHECKs among real servers that have none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseKeepalived } from '../../../core/config/keepalived.ts';
import { configuredScripts } from '../../../core/config/scripts.ts';

test("real servers' notify scripts and MISC_CHECKs are listed with their paths and users; others add nothing", () => {
  const r = parseKeepalived(
    `
global_defs {
  script_user nobody
}
virtual_server 10.0.0.1 80 {
  protocol TCP
  real_server 10.0.0.11 80 {
    TCP_CHECK {
    }
  }
  real_server 10.0.0.12 80 {
    notify_down "/bin/down 12" daemon
    TCP_CHECK {
    }
  }
  real_server 10.0.0.13 80 {
    TCP_CHECK {
    }
    MISC_CHECK {
      misc_path "/bin/check 13"
    }
  }
  real_server 10.0.0.14 80 {
  }
}
`,
    { file: 'keepalived.conf' },
  );
  assert.ok(r.ok);
  assert.deepEqual(
    configuredScripts(r.config).map((s) => [s.path.join('.'), s.keyword, s.owner, s.command.argv, s.runAs]),
    [
      [
        'virtualServers.0.realServers.1.notifyDown',
        'notify_down',
        'real_server 10.0.0.12 80',
        ['/bin/down', '12'],
        { user: 'daemon' },
      ],
      [
        'virtualServers.0.realServers.2.checkers.1.miscPath',
        'misc_path',
        'real_server 10.0.0.13 80',
        ['/bin/check', '13'],
        { user: 'nobody' },
      ],
    ],
  );
});
