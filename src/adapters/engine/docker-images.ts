/** Images: pulling a tag, resolving a tag to the digest a registry serves. */
import type { PulledImage } from '../../domain/ports/engine.js';
import { EngineUnavailableError, HoistError } from '../../domain/errors.js';
import { digestFor, followedTag } from '../../domain/image-reference.js';
import type { RawImage } from './docker-api-types.js';
import type { DockerApi } from './docker-api.js';
import { daemonMessage, type DockerishError } from './docker-errors.js';
import { readProgress } from './progress-stream.js';
import { credentialsHint, resolveHint } from './registry-hints.js';

export async function pullImage(api: DockerApi, imageRef: string): Promise<PulledImage> {
  const { repository, tag } = await redeployableRef(api, imageRef);
  const pullRef = `${repository}:${tag}`;
  const credentials = await api.credentialsFor(pullRef);
  const stream = (await api
    .call(`pull ${pullRef}`, () =>
      api.docker.createImage({
        fromImage: repository,
        tag,
        ...(credentials.auth ? { authconfig: credentials.auth } : {}),
      }),
    )
    .catch((error: unknown) => {
      if (!(error instanceof HoistError) || error instanceof EngineUnavailableError) throw error;
      const hint = credentialsHint(credentials, error.message);
      if (!hint) throw error;
      throw new HoistError(error.code, `${error.message}${hint}`, { cause: error.cause });
    })) as NodeJS.ReadableStream;
  const events = await readProgress(stream, `pull ${pullRef}`, api.dockerHost);
  const failure = events.find((e) => e.error || e.errorDetail);
  if (failure) {
    const message = failure.errorDetail?.message ?? failure.error ?? 'unknown error';
    throw new HoistError(
      'engine_error',
      `Pulling ${pullRef} failed: ${message}${credentialsHint(credentials, message)}`,
    );
  }
  const image = (await api.call(
    `inspect image ${pullRef}`,
    () => api.docker.getImage(pullRef).inspect() as Promise<RawImage>,
  )) as RawImage;
  return { imageId: image.Id, digest: digestFor(pullRef, image.RepoDigests) };
}

export async function resolveDigest(api: DockerApi, imageRef: string): Promise<string> {
  const { repository, tag } = await redeployableRef(api, imageRef);
  const ref = `${repository}:${tag}`;
  const credentials = await api.credentialsFor(ref);
  let answer: { Descriptor?: { digest?: string } } | null;
  try {
    answer = await api.request(`resolve ${ref} to a digest`, {
      method: 'GET',
      path: `/distribution/${ref}/json`,
      auth: credentials.auth,
    });
  } catch (error) {
    if (error instanceof EngineUnavailableError || !(error instanceof HoistError)) throw error;
    const message = daemonMessage((error.cause ?? {}) as DockerishError);
    throw new HoistError(
      'engine_error',
      `Cannot resolve ${ref} to a digest: ${message}. ${resolveHint(ref, credentials, message)}`,
      { cause: error.cause ?? error },
    );
  }
  const digest = answer?.Descriptor?.digest;
  if (!digest || !/^sha256:[0-9a-f]{64}$/.test(digest)) {
    throw new HoistError(
      'engine_error',
      `Cannot resolve ${ref} to a digest: the engine answered without one (${JSON.stringify(answer).slice(0, 200)}).`,
    );
  }
  return digest;
}

/** Splits a reference into the repository and tag to pull, or explains why it cannot be redeployed. */
async function redeployableRef(
  api: DockerApi,
  imageRef: string,
): Promise<{ repository: string; tag: string }> {
  const ref = imageRef.trim();
  const followed = followedTag(ref);
  if (!followed.ok) {
    switch (followed.problem) {
      case 'empty':
      case 'image-id':
        throw notRedeployable(ref, 'it is an image id, not a repository and tag');
      case 'no-repository':
        throw notRedeployable(ref, 'it names no repository');
      case 'digest-only':
        throw notRedeployable(ref, 'it is pinned to a digest and names no tag to follow');
    }
  }
  if (/^[0-9a-f]{6,63}$/.test(ref)) {
    // A short hex string (no tag, no digest) may be an image id prefix rather than a repository name.
    const image = await api.inspectImageOrNull(ref);
    if (image && image.Id.replace(/^sha256:/, '').startsWith(ref)) {
      throw notRedeployable(ref, 'it is an image id, not a repository and tag');
    }
  }
  return { repository: followed.reference.repository, tag: followed.reference.tag };
}

function notRedeployable(ref: string, why: string): HoistError {
  return new HoistError(
    'image_not_redeployable',
    `Image "${ref}" cannot be redeployed: ${why}. Recreate the container from a repository:tag reference (for example registry.example.com/app:latest) so Hoist can pull newer images of that tag.`,
  );
}
