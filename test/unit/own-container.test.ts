/**
 * How Hoist finds its own container id in /proc/self/mountinfo: the bind
 * mounts Docker puts on /etc/hostname, /etc/hosts and /etc/resolv.conf, and
 * nothing else (the host's own table lists other containers' directories).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containerIdsInMountinfo } from '../../src/adapters/engine/own-container.js';

const ID = 'a'.repeat(60) + '1234';
const OTHER = 'b'.repeat(64);

describe('containerIdsInMountinfo', () => {
  it('finds the id in the mounts of /etc/hostname, /etc/hosts and /etc/resolv.conf, once', () => {
    const mountinfo = [
      '790 700 0:45 / / rw,relatime - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/X',
      '812 790 254:1 /var/lib/docker/containers/ID/resolv.conf /etc/resolv.conf rw,relatime - ext4 /dev/vda1 rw',
      '813 790 254:1 /var/lib/docker/containers/ID/hostname /etc/hostname rw,relatime - ext4 /dev/vda1 rw',
      '814 790 254:1 /var/lib/docker/containers/ID/hosts /etc/hosts rw,relatime - ext4 /dev/vda1 rw',
      '815 790 254:1 /var/lib/docker/volumes/hoist-data/_data /data rw,relatime - ext4 /dev/vda1 rw',
    ]
      .join('\n')
      .replaceAll('ID', ID);
    assert.deepEqual(containerIdsInMountinfo(mountinfo), [ID]);
  });

  it('reads a data root on its own file system (the path is relative to it), and Podman', () => {
    const mountinfo = [
      `813 790 8:17 /containers/${ID}/hostname /etc/hostname rw - xfs /dev/sdb1 rw`,
      `813 790 8:17 /storage/overlay-containers/${OTHER}/userdata/hosts /etc/hosts rw - xfs /dev/sdb1 rw`,
    ].join('\n');
    assert.deepEqual(containerIdsInMountinfo(mountinfo), [ID, OTHER]);
  });

  it("finds nothing in a host's table, whatever containers run there", () => {
    const mountinfo = [
      '21 26 0:20 / /proc rw,relatime - proc proc rw',
      `300 26 0:52 / /var/lib/docker/containers/${OTHER}/mounts/shm rw - tmpfs shm rw,size=65536k`,
      '26 1 254:1 / / rw,relatime - ext4 /dev/vda1 rw',
    ].join('\n');
    assert.deepEqual(containerIdsInMountinfo(mountinfo), []);
  });
});
