using System.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ContentApi.Api.Photos;

/// <summary>The photo endpoints' typed answers to what the shared <see cref="Editorial.Editing"/> steps refuse.</summary>
internal static class EditingAnswers
{
    /// <summary>
    /// <see cref="Editorial.Editing"/> answers a refusal as <see cref="IResult"/>: a validation problem, or a problem
    /// (404, 412, 428). Typed here for an endpoint whose signature documents both.
    /// </summary>
    public static Results<TSuccess, ValidationProblem, ProblemHttpResult> Refusal<TSuccess>(IResult problem) where TSuccess : IResult =>
        problem switch
        {
            ValidationProblem invalid => invalid,
            ProblemHttpResult refused => refused,
            _ => throw new UnreachableException($"Editing refused with a {problem.GetType().Name}."),
        };

    /// <summary>A refusal that can only be a problem (the change has nothing to validate: a delete, a new file).</summary>
    public static ProblemHttpResult Problem(IResult problem) =>
        problem as ProblemHttpResult ?? throw new UnreachableException($"Editing refused with a {problem.GetType().Name}.");

    public static ProblemHttpResult NotFound(Guid id) => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound,
        title: "Photo not found", detail: $"There is no photo with id {id}.");
}
