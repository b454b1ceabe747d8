using System.Text.Json;
using System.Text.Json.Nodes;
using ContentApi.Api.Auth;
using ContentApi.Domain;
using ContentApi.Infrastructure;

namespace ContentApi.Api.Editorial;

/// <summary>Makes the immutable revision that every saved change leaves behind.</summary>
public static class RevisionLog
{
    public static readonly JsonSerializerOptions Json = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Hosting.JsonSetup.Configure(options);
        return options;
    }

    public static JsonNode Snapshot<T>(T state) => JsonSerializer.SerializeToNode(state, Json)!;

    /// <summary>
    /// Adds revision number <paramref name="version"/> (the item's new version, so two racing saves cannot both get
    /// it) with the fields that differ from <paramref name="before"/>.
    /// </summary>
    public static void Add(ContentDbContext db, HttpContext context, ContentKind kind, Guid id, int version, string action,
        JsonNode? before, JsonNode after)
    {
        Add(db, Audit.Actor(context.User), context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow(),
            kind, id, version, action, before, after);
        Audit.Add(db, context, $"{kind.ToString().ToLowerInvariant()}.{action}", kind, id, $"revision {version}");
    }

    /// <summary>The same, for changes no request makes (the schedule runner, which writes its own audit entry).</summary>
    public static void Add(ContentDbContext db, string author, DateTimeOffset at, ContentKind kind, Guid id, int version,
        string action, JsonNode? before, JsonNode after) =>
        db.Revisions.Add(new Revision
        {
            ContentKind = kind,
            ContentId = id,
            Number = version,
            CreatedAt = at,
            Author = author,
            Action = action,
            ChangedFields = ChangedFields(before, after),
            Snapshot = after.ToJsonString(Json),
        });

    /// <summary>Top-level fields, and the fields one level down ("content.title"), whose values differ.</summary>
    public static List<string> ChangedFields(JsonNode? before, JsonNode after)
    {
        var changed = new List<string>();
        if (after is not JsonObject afterObject)
            return changed;
        var beforeObject = before as JsonObject;
        foreach (var (name, value) in afterObject)
        {
            var old = beforeObject?[name];
            if (JsonNode.DeepEquals(old, value))
                continue;
            if (value is JsonObject inner && old is JsonObject)
                changed.AddRange(ChangedFields(old, inner).Select(field => $"{name}.{field}"));
            else
                changed.Add(name);
        }
        return changed;
    }
}
