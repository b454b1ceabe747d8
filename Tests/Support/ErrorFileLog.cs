using Microsoft.Extensions.Logging;

namespace ContentApi.Tests.Support;

/// <summary>Every error the server logs during the tests, appended to Tests/bin/…/server-errors.log (a test that
/// got a 500 finds its cause there).</summary>
public sealed class ErrorFileLog(string path) : ILoggerProvider, ILogger
{
    public ILogger CreateLogger(string categoryName) => this;
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
            lock (this) File.AppendAllText(path, $"{DateTime.UtcNow:O} {formatter(state, exception)}\n{exception}\n\n");
    }
    public void Dispose() { }
}
