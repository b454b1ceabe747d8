namespace ContentApi.Api.Hosting;

public static class QueryParameters
{
    /// <summary>
    /// Refuses a query parameter the endpoint does not know with a 400 that names it: silently ignored, <c>?q=</c> or
    /// <c>?sort=</c> would answer as if nothing had been asked and mislead the client.
    /// </summary>
    public static RouteHandlerBuilder AllowQuery(this RouteHandlerBuilder builder, params string[] known) =>
        builder.ProducesValidationProblem().AddEndpointFilter(async (context, next) =>
        {
            var unknown = context.HttpContext.Request.Query.Keys
                .Where(key => !known.Contains(key, StringComparer.OrdinalIgnoreCase)).ToList();
            if (unknown.Count == 0)
                return await next(context);
            var offered = known.Length == 0 ? "This address takes no query parameters." : $"It takes {string.Join(", ", known)}.";
            var detail = $"Unknown query parameter{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown.Select(k => $"'{k}'"))}. {offered}";
            return TypedResults.ValidationProblem(unknown.ToDictionary(k => k, _ => new[] { detail }), detail: detail);
        });
}
