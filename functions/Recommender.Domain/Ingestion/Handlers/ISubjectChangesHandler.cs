namespace Recommender.Domain.Ingestion.Handlers;

/// <summary>
/// A reaction to one subject's changes, after their profile was written: a lifecycle workflow, the
/// customer directory, the cached recommendations. <see cref="IngestionService"/> calls every registered
/// handler for each subject of a batch whose profile was written (or whose replayed events need their
/// reactions finished), one after the other in registration order — subjects in parallel, each subject's
/// handlers in sequence. A handler that throws fails the batch (the ones after it do not run for that
/// subject); the batch is delivered again, so every reaction must be idempotent: a replayed event
/// (<see cref="Profiles.ProfileChanges.Replayed"/>) only finishes what a crash interrupted.
/// </summary>
/// <remarks>Register one with <see cref="IngestionHandlers.AddSubjectChangesHandler{THandler}"/>; see docs/extending.md.</remarks>
public interface ISubjectChangesHandler
{
    Task HandleAsync(SubjectChanges subject, CancellationToken cancellationToken = default);
}
